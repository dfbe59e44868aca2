"""A report as CSV for Excel: UTF-8 with a BOM (so Excel reads Hangul), one header row, plain numbers."""

from __future__ import annotations

import csv
import io
from typing import BinaryIO, Callable

from printrelease.reports.cells import plain
from printrelease.reports.engine import Report


def write_csv(report: Report, stream: BinaryIO, progress: Callable[[int], None] | None = None) -> int:
    """Write the report to a binary stream; returns the number of rows after the header."""
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="", write_through=False)
    try:
        writer = csv.writer(text, lineterminator="\r\n")
        writer.writerow([column.title for column in report.columns])
        columns, currency, count = report.columns, report.currency, 0
        for row in report.rows():
            writer.writerow([plain(column, value, currency) for column, value in zip(columns, row.values)])
            count += 1
            if progress and count % 1000 == 0:
                progress(1000)
        if progress:
            progress(count % 1000)
        text.flush()
    finally:
        text.detach()  # the stream is the caller's to close
    return count
