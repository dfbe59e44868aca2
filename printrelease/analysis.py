"""What a captured job is: page count from the document, copies, sides and colour from the CUPS options."""

from __future__ import annotations

import logging
import math
import shlex
from dataclasses import dataclass
from pathlib import Path

from printrelease.errors import Invalid
from printrelease.i18n import N_

logging.getLogger("pypdf").setLevel(logging.ERROR)

CHROMA_TOLERANCE = 0.00002  # inkcov prints five decimals; neutral pages come out exactly equal
SIDES = ("one-sided", "two-sided-long-edge", "two-sided-short-edge")
COLOR_MODES = ("color", "monochrome")
OUT_OF_MEMORY = N_("the PDF needs more memory to read than the limit allows")


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


def check_document(path: Path, content_type: str = "application/pdf") -> None:
    """The cheap checks before a document is read: not empty, a PDF by type and by its first bytes."""
    if path.stat().st_size == 0:
        raise UnreadableDocument(N_("the document is empty (0 bytes)"))
    if content_type not in ("application/pdf", "application/vnd.cups-pdf"):
        raise UnreadableDocument(
            N_("documents of type %(type)s are not taken; the queue's PPD should convert them to PDF"),
            type=content_type)
    with open(path, "rb") as stream:
        if not stream.read(1024).lstrip().startswith(b"%PDF"):
            raise UnreadableDocument(N_("the document is not a PDF (it does not start with %PDF)"))


def read_page_count(path: Path) -> int:
    """Pages in a PDF, as pypdf reads them; raises UnreadableDocument whatever goes wrong inside.

    A reader of hostile input fails in ways its authors did not list (NotImplementedError for an unknown
    filter, AssertionError for an object stream that is not one, RecursionError, MemoryError under a
    limit), so every exception is a refusal of this document, never an error of the server.
    """
    from pypdf import PdfReader

    try:
        with open(path, "rb") as stream:
            pages = len(PdfReader(stream).pages)
    except MemoryError:
        raise UnreadableDocument(OUT_OF_MEMORY) from None
    except Exception as error:  # noqa: BLE001 - see the docstring
        detail = str(error) or type(error).__name__
        raise UnreadableDocument(N_("the PDF is damaged and cannot be read: %(detail)s"),
                                 detail=detail[:300]) from error
    if pages <= 0:
        raise UnreadableDocument(N_("the PDF has no pages"))
    return pages


def count_pages(path: Path, content_type: str = "application/pdf") -> int:
    """Pages in a PDF, read in this process; raises UnreadableDocument. The server counts in
    `analysis_pool`, whose workers bound the memory and time one document may take."""
    check_document(path, content_type)
    return read_page_count(path)


def count_colour_pages(path: Path, timeout: float = 120.0, memory_bytes: int = 1024**3) -> int:
    """Pages with colour on them, measured with Ghostscript's inkcov device within time and memory limits.

    inkcov renders RGB black and greys as equal parts of cyan, magenta and yellow (plus black), so a
    page is colour when those three differ, not merely when they are non-zero. Finance charges page by
    page: 21 pages with one colour chart are 1 colour and 20 mono pages. Ghostscript runs under
    prlimit(1): a document built to exhaust memory or loop for ever costs one bounded process.
    """
    import subprocess

    limits = ["prlimit", f"--as={memory_bytes}", f"--cpu={max(1, math.ceil(timeout))}"]
    try:
        done = subprocess.run([*limits, "gs", "-q", "-dBATCH", "-dNOPAUSE", "-dSAFER", "-sDEVICE=inkcov", "-o", "-",
                               str(path)], capture_output=True, text=True, errors="replace", timeout=timeout)
    except subprocess.TimeoutExpired:
        raise UnreadableDocument(N_("colour analysis failed: %(detail)s"),
                                 detail=f"took longer than {timeout:g} s") from None
    except OSError as error:
        raise UnreadableDocument(N_("colour analysis failed: %(detail)s"), detail=str(error)) from error
    pages = [line.split() for line in done.stdout.splitlines() if line.rstrip().endswith("OK")]
    if done.returncode != 0 or not pages:
        raise UnreadableDocument(N_("colour analysis failed: %(detail)s"),
                                 detail=done.stderr.strip()[:200] or f"exit status {done.returncode}")
    try:
        return sum(1 for c, m, y, *_ in pages if max(float(c), float(m), float(y)) - min(float(c), float(m), float(y))
                   > CHROMA_TOLERANCE)
    except ValueError:
        raise UnreadableDocument(N_("colour analysis failed: %(detail)s"), detail="unexpected inkcov output") from None
