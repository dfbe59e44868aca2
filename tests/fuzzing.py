"""Hypothesis strategies for the fuzz tests: documents mutated from the checked-in corpus of poison PDFs
and PostScript, and the odd metadata a client could send along."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

CORPUS = Path(__file__).resolve().parent / "corpus"
# Bounded: each fuzz test stays within a few seconds to a few tens of seconds in the suite.
FUZZ = settings(max_examples=250, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
TOKENS = [b"/Filter /FlateDecode", b"/Filter /NoSuchDecode", b"/Type /ObjStm", b"/N 99999", b"/First -1", b"[", b"]",
          b"<<", b">>", b"stream\n", b"endstream", b"endobj", b"xref\n0 1\n", b"/Length -1", b"/Length 99999999",
          b"9999999999 0 R", b"2 0 R", b"/Kids [2 0 R]", b"/Count -1", b"(", b"\\", b"%%EOF", b"/Encrypt 1 0 R",
          b"/Prev 0", b"/Root 2 0 R", b"/Type /XRef /W [1 9 9]", b"startxref\n0\n", b"\x00" * 16, b"%PDF-1.7\n"]


def seeds() -> list[bytes]:
    from sandbox.documents import make_pdf

    generated = CORPUS.parent / ".fuzz-seed.pdf"
    try:
        valid = make_pdf(generated, "예산안", pages=2).read_bytes()
    finally:
        generated.unlink(missing_ok=True)
    files = sorted(CORPUS.glob("*.pdf")) + sorted(CORPUS.glob("*.ps"))
    return [valid] + [path.read_bytes() for path in files if path.stat().st_size < 100_000]


@st.composite
def documents(draw, seed_documents: list[bytes]) -> bytes:
    """A seed document with up to eight flips, cuts, insertions of PDF syntax, or splices from another."""
    data = bytearray(draw(st.sampled_from(seed_documents)))
    for _ in range(draw(st.integers(0, 8))):
        position = draw(st.integers(0, max(len(data) - 1, 0)))
        operation = draw(st.sampled_from(["flip", "cut", "insert", "splice"]))
        if operation == "flip" and data:
            data[position] ^= draw(st.integers(1, 255))
        elif operation == "cut":
            del data[position:position + draw(st.integers(1, 256))]
        elif operation == "insert":
            data[position:position] = draw(st.sampled_from(TOKENS))
        else:
            other = draw(st.sampled_from(seed_documents))
            start = draw(st.integers(0, max(len(other) - 1, 0)))
            data[position:position] = other[start:start + draw(st.integers(1, 512))]
    return bytes(data)


header_text = st.text(st.characters(codec="utf-8"), max_size=300) | st.binary(max_size=300).map(
    lambda raw: raw.decode("latin-1"))
