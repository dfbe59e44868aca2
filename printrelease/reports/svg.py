"""Charts as SVG markup for a web page: horizontal bars (cost by department) and a trend line (by month).

Drawn on the server so that a page needs no script: the markup carries classes and no colours or
styles of its own (the page's stylesheet colours it, under a CSP without inline styles), a title and a
description for screen readers, and each value's own words in a tooltip. Values are integers (minor
units of money); the caller words them, in the reader's language, for the labels.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable
from xml.sax.saxutils import escape, quoteattr

from printrelease.reports.cells import display_width

WIDTH = 440  # about the width a page gives a chart, so that its text is the page's size
FONT = 13  # user units; the page scales the whole drawing to its width
CHARACTER = 7.2  # the width of one narrow character at FONT (a Hangul syllable takes two)


@dataclass(frozen=True)
class Point:
    label: str  # a department's name, a month's ("3월", "Mar")
    value: int
    text: str  # the value in words ("₩12,340")
    sublabel: str = ""  # a second line under a trend's label (the year, where it changes)


def ticks(low: int, high: int, count: int = 4) -> list[int]:
    """Round steps (1, 2 or 5 times a power of ten) from at most 0 to at least 0 covering [low, high]."""
    low, high = min(low, 0), max(high, 0)
    if low == high:
        high = low + 1
    magnitude = 1
    while True:
        step = next((m * magnitude for m in (1, 2, 5) if m * magnitude * count >= high - low), None)
        if step:
            break
        magnitude *= 10
    first, last = (low // step) * step, -(-high // step) * step
    return list(range(first, last + step, step))


def clipped(text: str, units: int) -> str:
    """`text` cut to `units` narrow characters' width, with an ellipsis if anything was cut."""
    if display_width(text) <= units:
        return text
    out = ""
    for ch in text:
        if display_width(out + ch) > units - 1:
            break
        out += ch
    return out + "…"


def _text_width(text: str) -> float:
    return display_width(text) * CHARACTER


def _svg(chart_id: str, height: float, title: str, description: str, body: list[str], kind: str) -> str:
    return "\n".join([
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart {kind}" viewBox="0 0 {WIDTH} {height:.0f}" '
        f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" font-size="{FONT}">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
        *body, "</svg>"])


def bar_chart(chart_id: str, title: str, description: str, points: list[Point],
              tick_text: Callable[[int], str]) -> str:
    """One horizontal bar per point, its label above it and its value at its end, a scale beneath; a
    negative value (more refunded than charged) goes left of the zero line. Labels over the bars leave
    the bars the whole width, however long a department's name."""
    row, bar, top = 40, 16, 4
    value_width = max((_text_width(p.text) for p in points), default=0) + 8
    left, right = 4, WIDTH - value_width
    scale = ticks(min((p.value for p in points), default=0), max((p.value for p in points), default=0))
    low, high = scale[0], scale[-1]

    def x(value: int) -> float:
        return left + (value - low) / (high - low) * (right - left)

    plot_bottom = top + row * len(points)
    body = []
    for value in scale:
        body.append(f'<line class="grid" x1="{x(value):.1f}" y1="{top}" x2="{x(value):.1f}" y2="{plot_bottom}"/>')
        anchor = "start" if value == low else "end" if value == high else "middle"
        body.append(f'<text class="tick" x="{x(value):.1f}" y="{plot_bottom + 15}" text-anchor="{anchor}">'
                    f'{escape(tick_text(value))}</text>')
    units = int((WIDTH - left - 6) / CHARACTER)
    for index, point in enumerate(points):
        y = top + index * row + row - bar - 4
        start, end = sorted((x(0), x(point.value)))
        kind = "bar negative" if point.value < 0 else "bar"
        body += [f'<g class="item"><title>{escape(point.label)}: {escape(point.text)}</title>',
                 f'<text class="label" x="{left + 6:.1f}" y="{y - 5:.1f}">{escape(clipped(point.label, units))}</text>',
                 f'<rect class="{kind}" x="{start:.1f}" y="{y:.1f}" width="{max(end - start, 1):.1f}" '
                 f'height="{bar}"/>',
                 f'<text class="value" x="{max(end, x(0)) + 4:.1f}" y="{y + bar - 3:.1f}">{escape(point.text)}</text>',
                 "</g>"]
    body.append(f'<line class="axis" x1="{x(0):.1f}" y1="{top}" x2="{x(0):.1f}" y2="{plot_bottom}"/>')
    return _svg(chart_id, plot_bottom + 22, title, description, body, "bars")


def trend_chart(chart_id: str, title: str, description: str, points: list[Point],
                tick_text: Callable[[int], str]) -> str:
    """A line through the points, left to right, with a dot (and its value as a tooltip) at each and a
    scale on the left; at most about a dozen labels are written under the line, the rest left out."""
    height, top, bottom = 220, 10, 40
    scale = ticks(min((p.value for p in points), default=0), max((p.value for p in points), default=0))
    low, high = scale[0], scale[-1]
    left = max(_text_width(tick_text(v)) for v in scale) + 14
    right = WIDTH - 8
    plot_bottom = height - bottom

    def y(value: int) -> float:
        return plot_bottom - (value - low) / (high - low) * (plot_bottom - top)

    def x(index: int) -> float:
        if len(points) == 1:
            return (left + right) / 2
        return left + 14 + index * (right - left - 28) / (len(points) - 1)

    body = []
    for value in scale:
        kind = "axis" if value == 0 else "grid"
        body.append(f'<line class="{kind}" x1="{left:.1f}" y1="{y(value):.1f}" x2="{right}" y2="{y(value):.1f}"/>')
        body.append(f'<text class="tick" x="{left - 6:.1f}" y="{y(value) + 4:.1f}" text-anchor="end">'
                    f'{escape(tick_text(value))}</text>')
    if len(points) > 1:
        path = " ".join(f"{x(i):.1f},{y(p.value):.1f}" for i, p in enumerate(points))
        body.append(f'<polyline class="line" points={quoteattr(path)} fill="none"/>')
    every = max(1, -(-len(points) // 13))
    for index, point in enumerate(points):
        body += [f'<g class="item"><title>{escape(point.label)} {escape(point.sublabel)}: {escape(point.text)}'
                 '</title>',
                 f'<circle class="dot{" negative" if point.value < 0 else ""}" cx="{x(index):.1f}" '
                 f'cy="{y(point.value):.1f}" r="4"/>']
        if index % every == 0:
            body.append(f'<text class="label" x="{x(index):.1f}" y="{plot_bottom + 18}" text-anchor="middle">'
                        f'{escape(point.label)}</text>')
            if point.sublabel:
                body.append(f'<text class="sublabel" x="{x(index):.1f}" y="{plot_bottom + 34}" '
                            f'text-anchor="middle">{escape(point.sublabel)}</text>')
        body.append("</g>")
    return _svg(chart_id, height, title, description, body, "trend")
