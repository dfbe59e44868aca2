"""What a captured job is: page count from the document, copies, sides and colour from the CUPS options."""

from __future__ import annotations

import logging
import shlex
from dataclasses import dataclass
from pathlib import Path

from printrelease.errors import Invalid
from printrelease.i18n import N_

logging.getLogger("pypdf").setLevel(logging.ERROR)

CHROMA_TOLERANCE = 0.00002  # inkcov prints five decimals; neutral pages come out exactly equal
SIDES = ("one-sided", "two-sided-long-edge", "two-sided-short-edge")
COLOR_MODES = ("color", "monochrome")


class UnreadableDocument(Invalid):
    """The document is empty, corrupt or of a kind the spool does not take."""

    code = "unreadable_document"


@dataclass(frozen=True)
class JobOptions:
    copies: int = 1
    sides: str = "one-sided"
    color_mode: str = "color"
    number_up: int = 1
    job_uuid: str | None = None
    originating_host: str = ""


def parse_options(text: str, copies: str | int = 1) -> JobOptions:
    """Read the options string CUPS gives a backend (argv[5]): `name=value` pairs, values maybe quoted."""
    try:
        words = shlex.split(text or "")
    except ValueError:
        words = (text or "").split()
    values: dict[str, str] = {}
    for word in words:
        name, sep, value = word.partition("=")
        values[name.lower()] = value if sep else "true"
    sides = values.get("sides", "one-sided")
    if values.get("duplex", "").lower().startswith("duplextumble"):
        sides = "two-sided-short-edge"
    elif values.get("duplex", "").lower().startswith("duplexnotumble"):
        sides = "two-sided-long-edge"
    colour = values.get("print-color-mode", values.get("colormodel", "color")).lower()
    colour = "monochrome" if colour in ("monochrome", "gray", "grey", "bi-level", "kgray") else "color"
    return JobOptions(
        copies=_bounded_int(copies, 1, 9999),
        sides=sides if sides in SIDES else "one-sided",
        color_mode=colour,
        number_up=_bounded_int(values.get("number-up", 1), 1, 16),
        job_uuid=values.get("job-uuid") or None,
        originating_host=values.get("job-originating-host-name", ""),
    )


def _bounded_int(value, low: int, high: int) -> int:
    try:
        return min(max(int(value), low), high)
    except (TypeError, ValueError):
        return low


def count_pages(path: Path, content_type: str = "application/pdf") -> int:
    """Pages in a PDF, read from the file without loading it whole; raises UnreadableDocument."""
    if path.stat().st_size == 0:
        raise UnreadableDocument(N_("the document is empty (0 bytes)"))
    if content_type not in ("application/pdf", "application/vnd.cups-pdf"):
        raise UnreadableDocument(
            N_("documents of type %(type)s are not taken; the queue's PPD should convert them to PDF"),
            type=content_type)
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    with open(path, "rb") as stream:
        if not stream.read(1024).lstrip().startswith(b"%PDF"):
            raise UnreadableDocument(N_("the document is not a PDF (it does not start with %PDF)"))
        stream.seek(0)
        try:
            pages = len(PdfReader(stream).pages)
        except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as error:
            raise UnreadableDocument(N_("the PDF is damaged and cannot be read: %(detail)s"),
                                     detail=str(error)) from error
    if pages == 0:
        raise UnreadableDocument(N_("the PDF has no pages"))
    return pages


def count_colour_pages(path: Path, timeout: float = 120.0) -> int:
    """Pages with colour on them, measured with Ghostscript's inkcov device.

    inkcov renders RGB black and greys as equal parts of cyan, magenta and yellow (plus black), so a
    page is colour when those three differ, not merely when they are non-zero. Finance charges page by
    page: 21 pages with one colour chart are 1 colour and 20 mono pages.
    """
    import subprocess

    try:
        done = subprocess.run(["gs", "-q", "-dBATCH", "-dNOPAUSE", "-dSAFER", "-sDEVICE=inkcov", "-o", "-",
                               str(path)], capture_output=True, text=True, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise UnreadableDocument(N_("colour analysis failed: %(detail)s"), detail=str(error)) from error
    pages = [line.split() for line in done.stdout.splitlines() if line.rstrip().endswith("OK")]
    if done.returncode != 0 or not pages:
        raise UnreadableDocument(N_("colour analysis failed: %(detail)s"),
                                 detail=done.stderr.strip()[:200] or "no page measured")
    return sum(1 for c, m, y, *_ in pages if max(float(c), float(m), float(y)) - min(float(c), float(m), float(y))
               > CHROMA_TOLERANCE)
