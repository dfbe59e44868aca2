"""Writes the corpus of poison documents next to this file: `python -m tests.corpus.make`.

Each one is small and broken in a way seen to hurt a PDF reader (an exception other than its own error
type, unbounded recursion, a scan of the whole file) or a PostScript interpreter. The files are checked
in; this script says how each was made.
"""

from __future__ import annotations

import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent


def assemble(objects: dict[int, bytes], trailer: bytes, version: bytes = b"1.7", xref: bool = True) -> bytes:
    """A PDF with the given objects and a correct classic cross-reference table (unless xref=False)."""
    out = bytearray(b"%PDF-" + version + b"\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + objects[number] + b"\nendobj\n"
    start = len(out)
    if xref:
        size = max(objects) + 1
        out += b"xref\n0 %d\n0000000000 65535 f \n" % size
        for number in range(1, size):
            out += b"%010d 00000 n \n" % offsets[number] if number in offsets else b"0000000000 65535 f \n"
    out += b"trailer\n" + trailer + b"\nstartxref\n%d\n%%%%EOF\n" % start
    return bytes(out)


def stream(dictionary: bytes, data: bytes) -> bytes:
    return b"<< " + dictionary + b" /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"


PAGE = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"
ROOT = {1: b"<< /Type /Catalog /Pages 2 0 R >>", 2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>", 3: PAGE}


def with_xref_stream(objects: dict[int, bytes], compressed: dict[int, tuple[int, int]]) -> bytes:
    """A PDF 1.5 whose cross-reference stream says objects in `compressed` live in object streams
    (number -> (stream object, index)); the other objects are written plainly."""
    out = bytearray(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + objects[number] + b"\nendobj\n"
    xref_number = max([*objects, *compressed]) + 1
    offsets[xref_number] = len(out)
    rows = bytearray(b"\x00\x00\x00\xff\xff")
    for number in range(1, xref_number + 1):
        if number in compressed:
            container, index = compressed[number]
            rows += bytes([2]) + container.to_bytes(2, "big") + index.to_bytes(2, "big")
        elif number in offsets:
            rows += bytes([1]) + offsets[number].to_bytes(2, "big") + b"\x00\x00"
        else:
            rows += b"\x00\x00\x00\x00\x00"
    data = bytes(rows)
    out += b"%d 0 obj\n" % xref_number + stream(
        b"/Type /XRef /Size %d /W [1 2 2] /Root 1 0 R" % (xref_number + 1), data) + b"\nendobj\n"
    out += b"startxref\n%d\n%%%%EOF\n" % offsets[xref_number]
    return bytes(out)


def poison() -> dict[str, bytes]:
    pdfs: dict[str, bytes] = {}
    # An object stream with a filter nobody knows: pypdf raised NotImplementedError.
    objstm_body = b"2 0 3 50 " + b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".ljust(50) + PAGE
    pdfs["objstm-unknown-filter.pdf"] = with_xref_stream(
        {1: ROOT[1], 4: stream(b"/Type /ObjStm /N 2 /First 9 /Filter /NoSuchDecode", objstm_body)},
        {2: (4, 0), 3: (4, 1)})
    # Objects said to be compressed in a stream that is not an object stream: pypdf asserted.
    pdfs["objstm-not-objstm.pdf"] = with_xref_stream(
        {1: ROOT[1], 4: stream(b"/Type /XObject /Subtype /Form /BBox [0 0 1 1]", b"0 0 m")},
        {2: (4, 0), 3: (4, 1)})
    # An object stream whose header offsets point past its data.
    pdfs["objstm-bad-offsets.pdf"] = with_xref_stream(
        {1: ROOT[1], 4: stream(b"/Type /ObjStm /N 2 /First 9999 /Filter /FlateDecode",
                               zlib.compress(b"2 0 3 999999 garbage"))},
        {2: (4, 0), 3: (4, 1)})
    # A cross-reference table whose offsets are all wrong: the reader falls back to scanning the file.
    good = assemble(ROOT, b"<< /Size 4 /Root 1 0 R >>")
    pdfs["broken-xref.pdf"] = good.replace(b" 00000 n ", b" 00000 x ").replace(b"startxref\n", b"startxref\n9")
    pdfs["no-xref.pdf"] = assemble(ROOT, b"<< /Size 4 /Root 1 0 R >>", xref=False)
    pdfs["startxref-past-end.pdf"] = good.rsplit(b"startxref", 1)[0] + b"startxref\n999999999\n%%EOF\n"
    # A page tree that contains itself, and one nested deeper than any stack.
    pdfs["pages-loop.pdf"] = assemble(
        {1: ROOT[1], 2: b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>", 3: PAGE},
        b"<< /Size 4 /Root 1 0 R >>")
    pdfs["deep-arrays.pdf"] = assemble(
        {1: b"<< /Type /Catalog /Pages 2 0 R /Deep " + b"[" * 100_000 + b"]" * 100_000 + b" >>",
         2: ROOT[2], 3: PAGE}, b"<< /Size 4 /Root 1 0 R >>")
    pdfs["kids-not-array.pdf"] = assemble(
        {1: ROOT[1], 2: b"<< /Type /Pages /Kids 7 /Count 1 >>", 3: PAGE}, b"<< /Size 4 /Root 1 0 R >>")
    pdfs["count-huge.pdf"] = assemble(
        {1: ROOT[1], 2: b"<< /Type /Pages /Kids [3 0 R] /Count 99999999999999999999 >>", 3: PAGE},
        b"<< /Size 4 /Root 1 0 R >>")
    pdfs["root-is-a-number.pdf"] = assemble(ROOT, b"<< /Size 4 /Root 42 >>")
    pdfs["trailer-missing.pdf"] = good.split(b"trailer", 1)[0]
    pdfs["truncated.pdf"] = good[: len(good) // 2]
    pdfs["stream-length-huge.pdf"] = assemble(
        {**ROOT, 4: b"<< /Length 99999999999 >>\nstream\nabc\nendstream"}, b"<< /Size 5 /Root 1 0 R >>")
    pdfs["flate-garbage.pdf"] = with_xref_stream(
        {1: ROOT[1], 4: stream(b"/Type /ObjStm /N 2 /First 9 /Filter /FlateDecode", b"\x78\x9c not zlib")},
        {2: (4, 0), 3: (4, 1)})
    pdfs["encrypted-unknown-handler.pdf"] = assemble(
        {**ROOT, 4: b"<< /Filter /NoSuchHandler /V 9 /R 9 /O <00> /U <00> /P -1 >>"},
        b"<< /Size 5 /Root 1 0 R /Encrypt 4 0 R /ID [<00> <00>] >>")
    pdfs["header-only.pdf"] = b"%PDF-1.7\n"
    pdfs["nul-bytes.pdf"] = b"%PDF-1.4\n" + b"\x00" * 4096
    return pdfs


POSTSCRIPT = {
    "syntax-error.ps": b"%!PS-Adobe-3.0\n/Helvetica findfont 12 scalefont setfont\n72 720 moveto (unclosed show\n",
    "undefined-operator.ps": b"%!PS\nthisoperatordoesnotexist\nshowpage\n",
    "stack-underflow.ps": b"%!PS\npop pop pop add\nshowpage\n",
    "binary-garbage.ps": b"%!PS\n" + bytes(range(256)) * 8,
}


def main() -> None:
    for name, data in {**poison(), **POSTSCRIPT}.items():
        (HERE / name).write_bytes(data)
        print(f"{name}: {len(data)} bytes")


if __name__ == "__main__":
    main()
