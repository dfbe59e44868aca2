"""A report as CSV for Excel: UTF-8 with a BOM (so Excel reads Hangul), one header row, plain numbers."""

from __future__ import annotations

import csv
import io
from typing import BinaryIO, Callable, Iterator

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


def csv_chunks(report: Report, size: int = 1 << 16) -> Iterator[bytes]:
    """The same file as `write_csv`, handed out in chunks of about `size` bytes as the rows are read."""
    buffer = io.BytesIO()
    text = io.TextIOWrapper(buffer, encoding="utf-8-sig", newline="")
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow([column.title for column in report.columns])
    for row in report.rows():
        writer.writerow([plain(column, value, report.currency) for column, value in zip(report.columns, row.values)])
        if buffer.tell() >= size:
            text.flush()
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    text.flush()
    yield buffer.getvalue()
