"""How a report's values become cell text: shared by the writers and a web page's preview table."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from decimal import Decimal

from printrelease.prices.money import format_money, to_major
from printrelease.reports.columns import Column

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Control characters (a job's title and a directory's names may hold any): an XLSX cell cannot hold them
# (openpyxl refuses the whole file), and in CSV and PDF they are invisible or boxes. Tab and newlines stay.
CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def printable(text: str) -> str:
    return CONTROLS.sub("", text)


def defused(text: str) -> str:
    """Text a spreadsheet would run as a formula ("=HYPERLINK(...)", "+1", "@SUM") gets a leading quote."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def display_width(text: str) -> int:
    """Columns of a monospaced grid: Hangul and other wide characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def plain(column: Column, value, currency: str) -> str:
    """For CSV: numbers without thousands separators, money in major units, ISO dates, text defused."""
    if value is None:
        return ""
    if isinstance(value, str):
        return defused(printable(value))
    if column.kind == "money":
        return str(to_major(value, currency))
    if isinstance(value, date):
        return _when(column, value, "%Y-%m-%d %H:%M:%S")
    return str(value)


def shown(column: Column, value, currency: str, language: str) -> str:
    """For a person (PDF, a preview): thousands separators, money with its sign (₩1,234), percents."""
    if value is None:
        return ""
    if isinstance(value, str):
        return printable(value)
    if column.kind == "money":
        return format_money(value, currency, language)
    if column.kind == "percent":
        return f"{value}%"
    if isinstance(value, date):
        return _when(column, value, "%Y-%m-%d %H:%M")
    if isinstance(value, (int, Decimal)):
        return f"{value:,}"
    return str(value)


def _when(column: Column, value: date, datetime_format: str) -> str:
    if isinstance(value, datetime):
        return value.strftime(datetime_format)
    return f"{value:%Y-%m}" if column.kind == "month" else value.isoformat()
