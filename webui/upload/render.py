"""`python -m webui.upload.render text|jpeg|png SOURCE TARGET TITLE`: a text file or a picture as an A4 PDF.

Run by webui.upload.convert under prlimit, never inside the server. Text is set in NanumGothic, embedded
as a subset (Hangul prints on any printer), lines wrapped to the page; a picture is turned upright by
its EXIF orientation and fitted to a portrait or landscape page. A refusal is one line on stderr,
"refused: " and a message of the catalogue, and exit status 2.
"""

from __future__ import annotations

import errno
import sys
import warnings
from pathlib import Path

from printrelease.i18n import N_

MARGIN = 42  # points: 15 mm, inside what most printers can reach
FONT_SIZE, LEADING = 10, 14
MAX_PIXELS = 80_000_000  # a 9,000 x 9,000 picture; more is a decompression bomb, not a photograph
TAB = 8


class Refused(Exception):
    pass


def _text(source: Path) -> str:
    data = source.read_bytes()
    for encoding in ("utf-8-sig", "cp949"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise Refused(N_("the text is neither UTF-8 nor the Korean Windows encoding (CP949)"))


def render_text(source: Path, target: Path, title: str) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.pdfgen import canvas

    from printrelease.reports.pdffile import register_fonts

    font = register_fonts()[0]
    width, height = A4
    room = width - 2 * MARGIN
    pdf = canvas.Canvas(str(target), pagesize=A4)
    pdf.setTitle(title)
    y = height - MARGIN
    for page_text in _text(source).replace("\r\n", "\n").replace("\r", "\n").split("\f"):
        for line in page_text.split("\n"):
            for piece in _wrap(line.expandtabs(TAB), room, lambda s: stringWidth(s, font, FONT_SIZE)):
                if y < MARGIN + LEADING:
                    pdf.showPage()
                    y = height - MARGIN
                pdf.setFont(font, FONT_SIZE)
                pdf.drawString(MARGIN, y - FONT_SIZE, piece)
                y -= LEADING
        pdf.showPage()
        y = height - MARGIN
    pdf.save()


def _wrap(line: str, room: float, width) -> list[str]:
    """Break a line where it would leave the page: at the last space if there is one, else anywhere
    (Korean and long identifiers have no spaces to break at)."""
    pieces = []
    while line and width(line) > room:
        low, high = 1, len(line)
        while low < high:  # the longest prefix that fits
            middle = (low + high + 1) // 2
            low, high = (middle, high) if width(line[:middle]) <= room else (low, middle - 1)
        cut = low
        space = line.rfind(" ", 0, cut)
        if space > cut // 2:
            cut = space + 1
        pieces.append(line[:cut].rstrip())
        line = line[cut:]
    pieces.append(line)
    return pieces


def render_picture(source: Path, target: Path, title: str) -> None:
    from PIL import Image, ImageOps, UnidentifiedImageError
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    warnings.simplefilter("error", Image.DecompressionBombWarning)
    try:
        with Image.open(source) as opened:
            picture = ImageOps.exif_transpose(opened)
            picture.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise Refused(N_("the picture has too many pixels")) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise Refused(N_("the picture is damaged or not a JPEG or PNG")) from None
    if picture.mode not in ("RGB", "L"):
        picture = picture.convert("RGB")
    page = landscape(A4) if picture.width > picture.height else A4
    scale = min((page[0] - 2 * MARGIN) / picture.width, (page[1] - 2 * MARGIN) / picture.height)
    shown = (picture.width * scale, picture.height * scale)
    pdf = canvas.Canvas(str(target), pagesize=page)
    pdf.setTitle(title)
    pdf.drawImage(ImageReader(picture), (page[0] - shown[0]) / 2, (page[1] - shown[1]) / 2, *shown)
    pdf.showPage()
    pdf.save()


def main(argv: list[str]) -> int:
    kind, source, target, title = argv
    try:
        if kind == "text":
            render_text(Path(source), Path(target), title)
        elif kind in ("jpeg", "png"):
            render_picture(Path(source), Path(target), title)
        else:
            raise Refused(N_("only PDF, PostScript, plain text, JPEG and PNG files can be printed here"))
    except OSError as error:
        if error.errno != errno.EFBIG:  # Python ignores SIGXFSZ: past prlimit's --fsize, a write fails
            raise
        return _refuse(target, N_("it is too large once converted to PDF"))
    except Refused as refusal:
        return _refuse(target, str(refusal))
    return 0


def _refuse(target: str, message: str) -> int:
    Path(target).unlink(missing_ok=True)
    print(f"refused: {message}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
