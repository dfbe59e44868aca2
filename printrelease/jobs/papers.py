"""A job's paper size: from the CUPS options (media, PageSize) when given, else from its first page."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

# Width x height in points (1/72 inch), portrait. Names as print dialogs and price lists use them.
SIZES = {
    "A3": (842, 1191), "A4": (595, 842), "A5": (420, 595), "B4": (729, 1032), "B5": (516, 729),
    "Letter": (612, 792), "Legal": (612, 1008), "Tabloid": (792, 1224),
}
TOLERANCE = 6  # points: drivers round millimetres differently
_ALIASES = {"ledger": "Tabloid", "11x17": "Tabloid", "jisb4": "B4", "jisb5": "B5", "b4": "B4", "b5": "B5"}
_PWG = re.compile(r"^(iso|na|jis)_([a-z0-9-]+?)_")


def name_of_media(value: str) -> str | None:
    """"A4", "iso_a4_210x297mm", "na_letter_8.5x11in", "A3.Transverse" or "Letter,tray-1" -> a size name."""
    for word in re.split(r"[,\s]+", value or ""):
        word = word.strip().lower()
        match = _PWG.match(word)
        if match:
            word = {"letter": "letter", "legal": "legal", "ledger": "ledger"}.get(match.group(2), match.group(2))
        word = word.split(".")[0]
        if word in _ALIASES:
            return _ALIASES[word]
        for name in SIZES:
            if word == name.lower():
                return name
    return None


def paper_size_from_options(options: str) -> str | None:
    """The size asked for in the CUPS options string (argv[5]), if any."""
    try:
        words = shlex.split(options or "")
    except ValueError:
        words = (options or "").split()
    values = dict(word.partition("=")[::2] for word in words)
    for key in ("media", "PageSize", "pagesize", "media-size-name"):
        size = name_of_media(values.get(key, ""))
        if size:
            return size
    return None


def name_of_dimensions(width: float, height: float) -> str:
    """The size of a page of these dimensions in points, either orientation; "custom" when none fits."""
    short, long = sorted((abs(width), abs(height)))
    for name, (w, h) in SIZES.items():
        if abs(short - w) <= TOLERANCE and abs(long - h) <= TOLERANCE:
            return name
    return "custom"


def paper_size_of_pdf(path: Path) -> str | None:
    """The first page's size of a PDF; None when it cannot be read (the price list then assumes A4)."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        with open(path, "rb") as stream:
            box = PdfReader(stream).pages[0].mediabox
            return name_of_dimensions(float(box.width), float(box.height))
    except (OSError, PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError):
        return None
