"""Options and page counting from what CUPS hands the backend."""

import pytest

from printrelease.analysis import UnreadableDocument, count_pages, parse_options
from sandbox.documents import make_pdf


def test_options_from_a_cups_options_string():
    options = parse_options(
        "job-uuid=urn:uuid:1234 job-originating-host-name=10.0.0.7 sides=two-sided-long-edge "
        "print-color-mode=monochrome number-up=2 finishings=3 'job-name=a b'", "3")
    assert options.job_uuid == "urn:uuid:1234"
    assert options.originating_host == "10.0.0.7"
    assert (options.copies, options.sides, options.color_mode, options.number_up) == (
        3, "two-sided-long-edge", "monochrome", 2)


def test_ppd_style_options_are_understood():
    options = parse_options("Duplex=DuplexTumble ColorModel=Gray", "1")
    assert options.sides == "two-sided-short-edge"
    assert options.color_mode == "monochrome"


@pytest.mark.parametrize("copies", ["0", "-4", "many", ""])
def test_nonsense_copies_become_one(copies):
    assert parse_options("", copies).copies == 1


def test_unbalanced_quotes_do_not_break_parsing():
    assert parse_options("job-name='broken sides=two-sided-long-edge", "1").copies == 1


def test_pages_of_a_korean_pdf(tmp_path):
    assert count_pages(make_pdf(tmp_path / "예산안.pdf", pages=4)) == 4


@pytest.mark.parametrize(
    "content, reason",
    [
        (b"", "empty"),
        (b"hello, not a pdf", "not a PDF"),
        (b"%PDF-1.4\n1 0 obj << /Type /Catalog >> garbage", "damaged"),
    ],
)
def test_unreadable_documents_have_a_reason(tmp_path, content, reason):
    path = tmp_path / "doc.pdf"
    path.write_bytes(content)
    with pytest.raises(UnreadableDocument, match=reason):
        count_pages(path)


def test_truncated_pdf_is_refused(tmp_path):
    whole = make_pdf(tmp_path / "whole.pdf", pages=3).read_bytes()
    path = tmp_path / "cut.pdf"
    path.write_bytes(whole[: len(whole) // 3])
    with pytest.raises(UnreadableDocument):
        count_pages(path)


def test_other_formats_are_refused_with_advice(tmp_path):
    path = tmp_path / "doc.ps"
    path.write_bytes(b"%!PS-Adobe-3.0\nshowpage\n")
    with pytest.raises(UnreadableDocument, match="PPD"):
        count_pages(path, "application/postscript")


def test_colour_pages_are_counted_page_by_page(tmp_path):
    from printrelease.analysis import count_colour_pages

    assert count_colour_pages(make_pdf(tmp_path / "mixed.pdf", pages=4, colour_pages={2, 4})) == 2
    assert count_colour_pages(make_pdf(tmp_path / "grey.pdf", pages=2)) == 0


def test_colour_analysis_of_garbage_is_a_clear_error(tmp_path):
    from printrelease.analysis import count_colour_pages

    path = tmp_path / "bad.pdf"
    path.write_bytes(b"%PDF-1.4 nothing")
    with pytest.raises(UnreadableDocument, match="colour analysis failed"):
        count_colour_pages(path)
