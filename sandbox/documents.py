"""Sample documents with Korean text for the demo, the tests and the benchmarks."""

from __future__ import annotations

from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

NANUM = Path("/usr/share/fonts/truetype/nanum/NanumGothic.ttf")


def korean_font() -> str:
    """An embedded Hangul font if the machine has one (fonts-nanum), else a standard font."""
    if "NanumGothic" in pdfmetrics.getRegisteredFontNames():
        return "NanumGothic"
    if NANUM.exists():
        pdfmetrics.registerFont(TTFont("NanumGothic", str(NANUM)))
        return "NanumGothic"
    return "Helvetica"


def make_pdf(path: Path, title: str = "예산안 2013", pages: int = 1, colour_pages: set[int] = frozenset()) -> Path:
    """Write a PDF of `pages` A4 pages; pages numbered in `colour_pages` (1-based) get a red heading."""
    path = Path(path)
    font = korean_font()
    pdf = canvas.Canvas(str(path), pagesize=A4, pageCompression=0)
    pdf.setTitle(title)
    for number in range(1, pages + 1):
        pdf.setFillColor(colors.red if number in colour_pages else colors.black)
        pdf.setFont(font, 20)
        pdf.drawString(72, 770, f"{title} — {number}/{pages} 쪽")
        pdf.setFillColor(colors.black)
        pdf.setFont(font, 11)
        pdf.drawString(72, 740, "printrelease 시험 문서: 카드를 대면 출력됩니다.")
        pdf.showPage()
    pdf.save()
    return path


def make_large_pdf(path: Path, size: int, chunk: int = 1 << 20) -> Path:
    """A valid one-page PDF of about `size` bytes, written in chunks so that making it needs no memory.

    The bulk is a content stream of PDF comments: cheap to write, and a reader must still skip it.
    """
    path = Path(path)
    line = b"% printrelease large document filler " + b"." * 90 + b"\n"
    body_length = max(size - 600, len(line)) // len(line) * len(line)
    offsets = []
    with open(path, "wb") as out:
        out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")

        def obj(text: bytes) -> None:
            offsets.append(out.tell())
            out.write(text)

        obj(b"1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n")
        obj(b"2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n")
        obj(b"3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>\nendobj\n")
        obj(b"4 0 obj\n<< /Length %d >>\nstream\n" % body_length)
        block = line * (chunk // len(line))
        written = 0
        while written < body_length:
            piece = block[: body_length - written]
            out.write(piece)
            written += len(piece)
        out.write(b"\nendstream\nendobj\n")
        xref = out.tell()
        out.write(b"xref\n0 5\n0000000000 65535 f \n")
        for offset in offsets:
            out.write(b"%010d 00000 n \n" % offset)
        out.write(b"trailer\n<< /Size 5 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref)
    return path
