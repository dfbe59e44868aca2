"""What the finance page shows of a report: its first rows and its total as text, the key figures with
the savings of pull printing, and the two charts as SVG. The downloads have every row."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from babel.dates import format_skeleton
from flask_babel import format_date, get_locale, gettext
from markupsafe import Markup

from printrelease.prices.money import format_money, to_major
from printrelease.reports import svg
from printrelease.reports.cells import shown
from printrelease.reports.columns import SUMMARY
from printrelease.reports.engine import Report, Row

ROWS = 200  # rows of the preview table; the downloads have all of them
NUMBERS = ("int", "money", "percent", "decimal")
# The key figures over the whole period (column ids of a summary), and the savings among them.
FIGURES = ("cost", "jobs", "pages", "sheets", "colour_impressions", "mono_impressions")
SAVINGS = ("unprinted_jobs", "unprinted_pages", "unspent", "sheets_saved", "co2_saved_kg", "trees_saved")


@dataclass
class Line:
    level: str  # "row", "subtotal" or "total"
    cells: list[str]


@dataclass
class Preview:
    titles: list[str]
    numeric: list[bool]
    row_headers: int  # the first cells of each row that name it (th scope="row")
    lines: list[Line] = field(default_factory=list)
    total: Line | None = None
    more: int | None = 0  # rows left out; None when not counted


def preview(report: Report, limit: int | None = None) -> Preview:
    """The report's first `limit` (ROWS) rows, and its total. A summary or click count is read to its end
    (its rows are groups); a detail report stops at `limit` and counts the rest with one query."""
    limit = ROWS if limit is None else limit
    columns = report.columns
    found = Preview([c.title for c in columns], [c.kind in NUMBERS for c in columns], _row_headers(report))
    rows = report.rows()
    read = 0
    try:
        for row in rows:
            if row.level == "total":
                found.total = _line(report, row)
                break
            read += 1
            if read <= limit:
                found.lines.append(_line(report, row))
            elif report.kind == "detail":
                found.more = report.count() - limit
                break
            else:
                found.more += 1
    finally:
        rows.close()  # a detail report's cursor is not read to its end
    return found


def _row_headers(report: Report) -> int:
    if report.kind == "summary":
        return len(report.columns) - len(SUMMARY)  # the group's key columns
    return 2 if report.kind == "clicks" else 1


def _line(report: Report, row: Row) -> Line:
    return Line(row.level, [shown(c, v, report.currency, report.language) for c, v in zip(report.columns, row.values)])


def key_figures(report: Report, total: Line | None) -> list[tuple[str, str, str]]:
    """(id, title, text) of the period's totals, from a summary's total line (read once more for a detail
    or click report, whose columns are not a summary's)."""
    if report.kind != "summary" or total is None:
        report = Report(report.session, report.filter, ("month",), "summary", report.site, report.language)
        total = _line(report, list(report.rows())[-1])
    texts = dict(zip((c.id for c in report.columns), zip((c.title for c in report.columns), total.cells)))
    return [(name, *texts[name]) for name in FIGURES + SAVINGS]


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    svg: Markup
    points: list[svg.Point]  # the same numbers as a table, the chart's text alternative


def charts(report: Report) -> list[Chart]:
    """Net cost by department (bars, largest first) and by month (the trend, the year up to the period's
    end), each only if it has any cost to show."""
    currency, language = report.currency, report.language

    def money(value: int) -> str:
        return format_money(value, currency, language)

    def tick(value: int) -> str:
        return f"{to_major(value, currency):,}"

    drawn = []
    departments = report.largest_departments()
    if any(value for _label, value in departments):
        bars = [svg.Point(label, value, money(value)) for label, value in departments]
        title = gettext("Net cost by department (%(currency)s)", currency=currency)
        about = gettext("Largest: %(label)s, %(value)s. The numbers are in the table below the chart.",
                        label=bars[0].label, value=bars[0].text)
        drawn.append(Chart("chart-departments", title,
                           Markup(svg.bar_chart("chart-departments", title, about, bars, tick)), bars))
    months = report.series_by_month()
    if any(value for _label, value in months):
        points, words, year = [], [], None
        for key, value in months:
            month = date(int(key[:4]), int(key[5:7]), 1)
            points.append(svg.Point(format_date(month, "MMM"), value, money(value),
                                    str(month.year) if month.year != year else ""))
            words.append(svg.Point(format_skeleton("yMMM", month, locale=get_locale()), value, money(value)))
            year = month.year
        title = gettext("Net cost by month (%(currency)s)", currency=currency)
        about = gettext("From %(first)s (%(start)s) to %(last)s (%(end)s). The numbers are in the table below the "
                        "chart.", first=words[0].label, last=words[-1].label, start=words[0].text,
                        end=words[-1].text)
        drawn.append(Chart("chart-months", title, Markup(svg.trend_chart("chart-months", title, about, points, tick)),
                           words))
    return drawn
