"""The report formats by name, with their media types: what the CLI, the mail and a download use."""

from __future__ import annotations

from typing import BinaryIO, Callable

from printrelease.reports.engine import Report

MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
FORMATS = tuple(MEDIA_TYPES)


def write_report(report: Report, fmt: str, stream: BinaryIO, progress: Callable[[int], None] | None = None) -> int:
    """Write `report` in `fmt` ("csv", "xlsx" or "pdf") to a binary stream; returns the rows written."""
    if fmt == "csv":
        from printrelease.reports.csvfile import write_csv as writer
    elif fmt == "xlsx":
        from printrelease.reports.xlsxfile import write_xlsx as writer
    elif fmt == "pdf":
        from printrelease.reports.pdffile import write_pdf as writer
    else:
        raise ValueError(fmt)
    return writer(report, stream, progress)
