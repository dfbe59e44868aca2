"""The report formats by name, with their media types: what the CLI, the mail and a download use."""

from __future__ import annotations

import tempfile
from typing import BinaryIO, Callable, Iterator

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


def download(report: Report, fmt: str, chunk: int = 1 << 16) -> Iterator[bytes]:
    """The file as chunks, for a streamed HTTP download: CSV as its rows are read; XLSX and PDF (whole
    documents that end with their index) spooled to a temporary file first, on disk past 8 MB."""
    if fmt == "csv":
        from printrelease.reports.csvfile import csv_chunks

        yield from csv_chunks(report, chunk)
        return
    yield from chunks_of(spooled(report, fmt), chunk)


def spooled(report: Report, fmt: str) -> BinaryIO:
    """The whole file in a temporary file (in memory up to 8 MB), rewound; the caller closes it."""
    spool = tempfile.SpooledTemporaryFile(max_size=8 << 20)
    try:
        write_report(report, fmt, spool)
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    return spool


def chunks_of(stream: BinaryIO, chunk: int = 1 << 16) -> Iterator[bytes]:
    """A file's bytes in chunks; the file is closed at the end, or when the reader stops early."""
    with stream:
        while data := stream.read(chunk):
            yield data
