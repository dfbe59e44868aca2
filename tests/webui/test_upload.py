"""Upload to print: PDF as it is, PostScript, text (UTF-8 and CP949), JPEG and PNG converted to PDF, all
held like any captured job; oversize, empty, unknown and damaged files refused with a clear message."""

from __future__ import annotations

import io
import re
import subprocess

import pytest

from printrelease.jobs.models import JobState
from printrelease.jobs.service import list_jobs
from tests.webui.conftest import form_token

MEMO = "회의록\n2026년 11월 25일\n참석자: 김성렬, 이지영\n" * 30


def upload_form(client) -> dict:
    page = client.get("/upload").get_data(as_text=True)
    return {"csrf_token": form_token(client, "/upload"),
            "upload_id": re.search(r'name="upload_id" type="hidden" value="([0-9a-f]+)"', page).group(1),
            "copies": "1", "sides": "one-sided"}


def upload(client, content: bytes, name: str, form: dict | None = None, **fields):
    data = {**(form or upload_form(client)), **fields, "document": (io.BytesIO(content), name)}
    return client.post("/upload", data=data, content_type="multipart/form-data")


def held(runtime, login="kimsr"):
    with runtime.sessions() as session:
        return list_jobs(session, owner=login, states=[JobState.HELD])


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    from PIL import Image

    from sandbox.documents import make_pdf

    folder = tmp_path_factory.mktemp("uploads")
    pdf = make_pdf(folder / "예산안.pdf", pages=3)
    subprocess.run(["pdftops", str(pdf), str(folder / "memo.ps")], check=True)
    png, jpeg = io.BytesIO(), io.BytesIO()
    Image.new("RGB", (400, 300), (200, 30, 30)).save(png, "PNG")
    Image.new("RGB", (300, 500), (30, 30, 200)).save(jpeg, "JPEG")
    return {"pdf": pdf.read_bytes(), "ps": (folder / "memo.ps").read_bytes(), "png": png.getvalue(),
            "jpeg": jpeg.getvalue()}


@pytest.mark.parametrize("name, kind, pages", [("예산안.pdf", "pdf", 3), ("memo.ps", "ps", 3), ("차트.png", "png", 1),
                                               ("사진.jpg", "jpeg", 1), ("회의록.txt", "utf-8", 2),
                                               ("회의록(CP949).txt", "cp949", 2)])
def test_each_kind_of_file_is_held_as_a_pdf(client_as, runtime, files, name, kind, pages):
    content = MEMO.encode(kind) if kind in ("utf-8", "cp949") else files[kind]
    client = client_as("user")
    answer = upload(client, content, name, copies="2", monochrome="y")
    assert answer.status_code == 303 and answer.headers["Location"] == "/jobs", answer.get_data(as_text=True)[-500:]
    assert "대기 중입니다" in client.get("/jobs").get_data(as_text=True)
    (job,) = held(runtime)
    assert (job.title, job.pages, job.copies, job.color_mode, job.source_queue) == \
        (name, pages, 2, "monochrome", "web-upload")
    with open(runtime.spool.path_for(job.storage_key), "rb") as stored:
        assert stored.read(5) == b"%PDF-"
    assert list(runtime.spool.tmp.iterdir()) == [], "no temporary file is left behind"


def test_korean_text_comes_out_as_text_in_an_embedded_korean_font(client_as, runtime, tmp_path):
    upload(client_as("user"), MEMO.encode(), "회의록.txt")
    (job,) = held(runtime)
    path = runtime.spool.path_for(job.storage_key)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "참석자: 김성렬, 이지영" in text
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    assert "NanumGothic" in fonts and " yes " in fonts


def test_sending_the_same_form_twice_holds_the_job_once(client_as, runtime, files):
    client = client_as("user")
    form = upload_form(client)
    assert upload(client, files["pdf"], "a.pdf", form).status_code == 303
    again = upload(client, files["pdf"], "a.pdf", form)
    assert again.status_code == 303
    assert len(held(runtime)) == 1


@pytest.mark.parametrize("content, name, words", [
    (b"", "empty.pdf", "비어"),
    (b"PK\x03\x04\x14\x00\x00\x00" + bytes(range(256)) * 4, "archive.zip", "PDF, PostScript"),
    (b"\x00\x01\x02binary", "data.bin", "PDF, PostScript"),
    (b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n", "broken.pdf", "PDF"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "broken.png", "그림"),
    (b"%!PS-Adobe-3.0\n(never closed\n", "broken.ps", "PDF"),
])
def test_files_that_cannot_be_printed_are_refused_with_a_reason(client_as, runtime, content, name, words):
    answer = upload(client_as("user"), content, name)
    assert answer.status_code in (400, 422), answer.status_code
    message = re.search(r'<p class="message error" role="alert">([^<]+)</p>', answer.get_data(as_text=True))
    assert message and words in message.group(1), answer.get_data(as_text=True)[-800:]
    assert held(runtime) == []
    assert list(runtime.spool.tmp.iterdir()) == []


def test_a_file_over_the_limit_is_refused_before_it_is_stored(client_as, runtime):
    limit = runtime.settings.max_job_bytes
    answer = upload(client_as("user"), b"%PDF-1.4\n" + b"0" * (limit + 100_000), "huge.pdf")
    assert answer.status_code == 413
    assert "MB" in answer.get_data(as_text=True) and held(runtime) == []


def test_nobody_uploads_without_logging_in_or_without_the_token(client_as, runtime, files):
    anonymous = client_as("anonymous")
    answer = anonymous.post("/upload", data={"document": (io.BytesIO(files["pdf"]), "a.pdf")},
                            content_type="multipart/form-data")
    assert answer.status_code == 303 and answer.headers["Location"].startswith("/login")
    client = client_as("user")
    form = upload_form(client)
    del form["csrf_token"]
    assert upload(client, files["pdf"], "a.pdf", form).status_code == 400
    assert held(runtime) == []


def test_a_file_name_is_only_ever_text(client_as, runtime, files):
    client = client_as("user")
    upload(client, files["pdf"], '<img src=x onerror=alert(1)>.pdf')
    html = client.get("/jobs").get_data(as_text=True)
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;.pdf" in html


def test_a_conversion_that_runs_too_long_is_stopped(tmp_path):
    from webui.upload.convert import POSTSCRIPT, UnreadableUpload, to_pdf

    loop = tmp_path / "loop.ps"
    loop.write_bytes(b"%!PS-Adobe-3.0\n{ 1 pop } loop\n")
    with pytest.raises(UnreadableUpload) as refused:
        to_pdf(loop, POSTSCRIPT, tmp_path / "out.pdf", "loop", 1_000_000, seconds=1)
    assert refused.value.words("ko") == "이 파일은 인쇄할 수 없습니다: 변환이 너무 오래 걸렸습니다"
    assert not (tmp_path / "out.pdf").exists()


def test_a_conversion_that_grows_past_the_size_limit_is_stopped(tmp_path):
    from webui.upload.convert import TEXT, UnreadableUpload, to_pdf

    text = tmp_path / "long.txt"
    text.write_text(MEMO * 20, encoding="utf-8")
    with pytest.raises(UnreadableUpload) as refused:
        to_pdf(text, TEXT, tmp_path / "out.pdf", "long", 20_000)
    assert refused.value.words("en") == "this file cannot be printed: it is too large once converted to PDF"
    assert not (tmp_path / "out.pdf").exists()


def test_after_a_refusal_the_form_takes_another_file(client_as, runtime, files):
    client = client_as("user")
    form = upload_form(client)
    refused = upload(client, b"%PDF-1.4\nnot really\n%%EOF\n", "broken.pdf", form)
    assert refused.status_code == 422
    again = re.search(r'name="upload_id" type="hidden" value="([0-9a-f]+)"', refused.get_data(as_text=True)).group(1)
    assert again != form["upload_id"]
    assert upload(client, files["pdf"], "good.pdf", {**form, "upload_id": again}).status_code == 303
    assert [job.title for job in held(runtime)] == ["good.pdf"]
