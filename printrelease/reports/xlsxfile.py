"""A report as an Excel workbook, streamed with openpyxl's write-only mode so that memory stays flat."""

from __future__ import annotations

from decimal import Decimal
from typing import BinaryIO, Callable

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from printrelease.prices.money import digits, to_major
from printrelease.reports.cells import display_width, printable
from printrelease.reports.columns import sheet_name
from printrelease.reports.engine import Report

MAX_ROWS = 1_048_576  # Excel's limit per sheet; a longer report goes on in a second sheet
WIDTHS = {"text": 14, "int": 10, "money": 14, "percent": 10, "decimal": 10, "month": 10, "day": 12,
          "datetime": 18}
WIDE = {"title": 40, "department": 18, "reason": 30}
BOLD = Font(bold=True)


def money_format(currency: str) -> str:
    places = digits(currency)
    decimals = "." + "0" * places if places else ""
    if currency == "KRW":
        return f"[$₩-412]#,##0{decimals};-[$₩-412]#,##0{decimals}"
    return f'#,##0{decimals} "{currency}";-#,##0{decimals} "{currency}"'


def write_xlsx(report: Report, stream: BinaryIO, progress: Callable[[int], None] | None = None) -> int:
    """Write the report as one sheet (more past Excel's row limit); returns the rows after the header."""
    workbook = Workbook(write_only=True)
    columns, name = report.columns, sheet_name(report.kind, report.by, report.language)
    formats = {"money": money_format(report.currency), "percent": "0.0%", "decimal": "#,##0.0#", "int": "#,##0",
               "month": "yyyy-mm", "day": "yyyy-mm-dd", "datetime": "yyyy-mm-dd hh:mm:ss"}
    sheet, templates, written, count, last = None, {}, 0, 0, None

    def new_sheet(number: int):
        ws = workbook.create_sheet(name if number == 1 else f"{name[:27]} ({number})")
        for index, column in enumerate(columns, 1):
            width = max(WIDE.get(column.id, WIDTHS[column.kind]), display_width(column.title) + 2)
            ws.column_dimensions[get_column_letter(index)].width = min(width, 60)
        ws.freeze_panes = "A2"
        ws.append([_cell(ws, column.title, font=BOLD, wrap=True) for column in columns])
        cells = {level: [_cell(ws, None, formats.get(c.kind), BOLD if level != "row" else None) for c in columns]
                 for level in ("row", "subtotal", "total")}
        return ws, cells

    for row in report.rows():
        if sheet is None or written >= MAX_ROWS:
            if sheet is not None:
                sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{written}"
            sheet, templates = new_sheet(count // (MAX_ROWS - 1) + 1)
            written = 1
        cells = templates[row.level]
        for cell, column, value in zip(cells, columns, row.values):
            _set(cell, column.kind, value, report.currency)
        sheet.append(cells)
        written += 1
        count += 1
        if row.level != "total":
            last = written
        if progress and count % 1000 == 0:
            progress(1000)
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{last or written}"
    workbook.save(stream)
    if progress:
        progress(count % 1000)
    return count


def _cell(ws, value, number_format=None, font=None, wrap=False) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=value)
    if number_format:
        cell.number_format = number_format
    if font:
        cell.font = font
    if wrap:
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    return cell


def _set(cell: WriteOnlyCell, kind: str, value, currency: str) -> None:
    if value is None:
        cell.value = None
    elif isinstance(value, str):
        cell.value = printable(value)
        cell.data_type = "s"  # text is never a formula, whatever it starts with ("=HYPERLINK(...)")
    elif kind == "money":
        cell.value = to_major(value, currency)
    elif kind == "percent":
        cell.value = value / Decimal(100)
    else:
        cell.value = value
