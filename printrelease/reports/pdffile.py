"""A report as a PDF: title, period and filters, charts by department and by month, the table, page numbers.

Hangul is drawn with NanumGothic (Debian's fonts-nanum) as an embedded TrueType subset: reportlab's
built-in CID fonts are not embedded and show as empty boxes where the reader has no Korean font.
"""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO, Callable
from xml.sax.saxutils import escape

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import LongTable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from printrelease.errors import PrintReleaseError
from printrelease.i18n import N_
from printrelease.reports.cells import printable, shown
from printrelease.reports.engine import Report

FONTS = Path("/usr/share/fonts/truetype/nanum")
# Columns a page has no room for; the CSV and XLSX files have every column.
HIDDEN = {"department_code", "record", "corrects", "copies", "reason", "corrected_by", "user"}
ACCENT = colors.HexColor("#2f5d8a")


class KoreanFontMissing(PrintReleaseError):
    code = "korean_font_missing"
    template = N_("the Korean font %(path)s is missing: install the Debian package fonts-nanum")


def register_fonts() -> tuple[str, str]:
    for name, file in (("NanumGothic", "NanumGothic.ttf"), ("NanumGothicBold", "NanumGothicBold.ttf")):
        if name not in pdfmetrics.getRegisteredFontNames():
            if not (FONTS / file).exists():
                raise KoreanFontMissing(path=str(FONTS / file))
            pdfmetrics.registerFont(TTFont(name, str(FONTS / file)))
    pdfmetrics.registerFontFamily("NanumGothic", normal="NanumGothic", bold="NanumGothicBold")
    return "NanumGothic", "NanumGothicBold"


def write_pdf(report: Report, stream: BinaryIO, progress: Callable[[int], None] | None = None) -> int:
    """Write the report as a landscape A4 PDF; returns the number of table rows after the header."""
    regular, bold = register_fonts()
    _ = report._
    styles = {
        "title": ParagraphStyle("title", fontName=bold, fontSize=16, leading=20, textColor=ACCENT),
        "line": ParagraphStyle("line", fontName=regular, fontSize=9, leading=12),
        "head": ParagraphStyle("head", fontName=bold, fontSize=6.5, leading=8, alignment=1),
    }
    visible = [(i, c) for i, c in enumerate(report.columns)
               if c.id not in HIDDEN or (c.id == "user" and report.kind == "summary" and "user" not in report.by)]
    # Paragraphs read markup: the filters are whatever was typed, so they are escaped like all the text.
    story = [Paragraph(escape(report.title), styles["title"]), Spacer(1, 2 * mm)]
    lines = report.filter_lines() + [_("Generated at %(when)s", when=f"{report.generated_at:%Y-%m-%d %H:%M %Z}"),
                                     _("Currency: %(currency)s", currency=report.currency)]
    story += [Paragraph(escape(printable(line)), styles["line"]) for line in lines]
    story += [Spacer(1, 3 * mm), _charts(report, regular), Spacer(1, 4 * mm)]

    data = [[Paragraph(escape(c.title), styles["head"]) for _i, c in visible]]
    levels, count = [], 0
    labels = {_("Subtotal"), _("Total")}
    for row in report.rows():
        cells = [_clip(shown(c, row.values[i], report.currency, report.language), c.id) for i, c in visible]
        if row.level != "row":
            # The word may sit in a column the page hides (the department code): show it in the first gap.
            word = next(v for v in row.values if v in labels)
            if word not in cells:
                gap = next((n for n, text in enumerate(cells) if text == ""), 0)
                cells[gap] = word
        data.append(cells)
        levels.append(row.level)
        count += 1
        if progress and count % 1000 == 0:
            progress(1000)
    table = LongTable(data, repeatRows=1, hAlign="LEFT")
    style = [("FONT", (0, 0), (-1, -1), regular, 6.5), ("LEADING", (0, 0), (-1, -1), 8),
             ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#b0b8c4")),
             ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dfe7f1")), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
             ("TOPPADDING", (0, 0), (-1, -1), 1.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5)]
    for index, (_i, column) in enumerate(visible):
        if column.kind not in ("text", "month", "day", "datetime"):
            style.append(("ALIGN", (index, 1), (index, -1), "RIGHT"))
    for number, level in enumerate(levels, 1):
        if level != "row":
            style += [("FONT", (0, number), (-1, number), bold, 6.5),
                      ("BACKGROUND", (0, number), (-1, number),
                       colors.HexColor("#eef2f7" if level == "subtotal" else "#d5e1ee"))]
    table.setStyle(TableStyle(style))
    story.append(table)

    def footer(canvas, document):
        canvas.saveState()
        canvas.setFont(regular, 7)
        canvas.drawString(document.leftMargin, 8 * mm, f"printrelease · {report.title}")
        canvas.drawRightString(document.pagesize[0] - document.rightMargin, 8 * mm,
                               _("Page %(page)s", page=document.page))
        canvas.restoreState()

    document = SimpleDocTemplate(stream, pagesize=landscape(A4), leftMargin=10 * mm, rightMargin=10 * mm,
                                 topMargin=10 * mm, bottomMargin=14 * mm, title=report.title,
                                 author="printrelease", initialFontName=regular, initialFontSize=9)
    document.build(story, onFirstPage=footer, onLaterPages=footer)
    if progress:
        progress(count % 1000)
    return count


def _clip(text: str, column_id: str) -> str:
    limit = {"title": 28, "label": 16}.get(column_id, 40)  # a chart's label: under its bar, at an angle
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _charts(report: Report, font: str) -> Table:
    _ = report._
    departments = report.largest_departments()
    months = report.series_by_month()
    left = _bar(_("Net cost by department"), [_clip(label, "label") for label, _v in departments],
                [int(v) for _l, v in departments], font, bar=True)
    right = _bar(_("Net cost by month"), [label for label, _v in months], [int(v) for _l, v in months], font,
                 bar=False)
    return Table([[left, right]], hAlign="LEFT", style=[("FONT", (0, 0), (-1, -1), font)])


def _bar(title: str, labels: list[str], values: list[int], font: str, bar: bool) -> Drawing:
    drawing = Drawing(130 * mm, 60 * mm, initialFontName=font)
    drawing.add(String(0, 56 * mm, title, fontName=font, fontSize=9, fillColor=ACCENT))
    chart = VerticalBarChart() if bar else HorizontalLineChart()
    chart.x, chart.y, chart.width, chart.height = 18 * mm, 14 * mm, 108 * mm, 38 * mm
    chart.data = [values or [0]]
    chart.categoryAxis.categoryNames = labels or ["-"]
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 6
    chart.categoryAxis.labels.angle = 30 if len(labels) > 4 else 0
    chart.categoryAxis.labels.boxAnchor = "ne" if len(labels) > 4 else "n"
    chart.valueAxis.labels.fontName = font
    chart.valueAxis.labels.fontSize = 6
    chart.valueAxis.valueMin = min(0, *(values or [0]))
    chart.valueAxis.labelTextFormat = lambda v: f"{v:,.0f}"
    if bar:
        chart.bars[0].fillColor = ACCENT
    else:
        chart.lines[0].strokeColor = ACCENT
        chart.lines[0].strokeWidth = 1.5
    drawing.add(chart)
    return drawing
