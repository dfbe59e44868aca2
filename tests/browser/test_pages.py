"""The web UI as people use it, in chromium: a job printed with `lp` changed to black and white and released
to a printer, an uploaded PDF released, the main pages in Korean and English (and at a phone's width, and
by keyboard), each checked by axe-core as it is visited."""

from __future__ import annotations

import re

from sqlalchemy import select

from printrelease.jobs.models import Job, JobState
from sandbox.documents import make_pdf
from tests.browser.conftest import PASSWORD
from tests.waiting import wait_until


def test_a_printed_job_changed_to_black_and_white_and_released(web, visitor, tmp_path):
    web.lp(make_pdf(tmp_path / "예산안.pdf", "예산안 2027", pages=2, colour_pages={1}), "kimsr", "예산안 2027.pdf")
    (job,) = web.wait_jobs(1, JobState.HELD)
    visitor.log_in()
    page = visitor.page
    assert page.locator("label", has_text="예산안 2027.pdf").is_visible()
    page.get_by_role("link", name=re.compile("부수·양면·색상 바꾸기")).first.click()
    visitor.check()
    page.get_by_label("흑백으로 인쇄").check()
    page.get_by_role("button", name="저장").click()
    page.wait_for_url("**/jobs")
    visitor.check()
    assert "인쇄 설정을 바꿨습니다" in page.locator("#messages").inner_text()
    assert page.locator("#messages").evaluate("node => node === document.activeElement"), "the result has focus"
    page.get_by_label(re.compile("예산안 2027.pdf")).check()
    page.get_by_label(re.compile("^dept-a")).check()
    page.get_by_role("button", name="선택한 작업 출력").click()
    page.wait_for_url("**/jobs?printer=dept-a")
    visitor.check()
    assert "dept-a(으)로 보냈습니다" in page.locator("#messages").inner_text()
    wait_until(lambda: web.output("dept-a"), what="the job at the printer")
    (printed,) = web.wait_jobs(1, JobState.PRINTED)
    assert (printed.id, printed.color_mode, printed.color_pages) == (job.id, "monochrome", 0)
    assert "예산안 2027.pdf" not in page.locator("main").inner_text().split("내 작업 기록")[0]


def test_an_uploaded_pdf_is_held_and_released(web, visitor, tmp_path):
    document = make_pdf(tmp_path / "보고서.pdf", "보고서", pages=3)
    visitor.log_in("leejy")
    page = visitor.goto("/upload")
    page.get_by_label("파일").set_input_files(str(document))
    page.get_by_role("button", name="올리기").click()
    page.wait_for_url("**/jobs")
    visitor.check()
    assert "“보고서.pdf”(3쪽)이(가) 대기 중입니다" in page.locator("#messages").inner_text()
    page.get_by_label(re.compile("^dept-b")).check()
    page.get_by_role("button", name="모두 출력").click()
    page.wait_for_url("**/jobs?printer=dept-b")
    visitor.check()
    wait_until(lambda: web.output("dept-b"), what="the upload at the printer")
    with web.runtime.sessions() as session:
        job = session.scalar(select(Job).where(Job.title == "보고서.pdf"))
        assert (job.owner.login, job.source_queue, job.pages) == ("leejy", "web-upload", 3)
    wait_until(lambda: web.jobs(JobState.PRINTED) and len(web.jobs(JobState.PRINTED)) >= 2, what="printed")
    assert web.output("dept-b")[0].read_bytes() == document.read_bytes()


MAIN_PAGES = [("login", "/login"), ("jobs", "/jobs"), ("job", None), ("history", "/jobs/history"),
              ("cards", "/cards"), ("upload", "/upload")]


def test_the_main_pages_in_korean_and_english_at_a_desk_and_on_a_phone(web, open_visitor, pictures, tmp_path):
    web.lp(make_pdf(tmp_path / "회의록.pdf", "회의록", pages=4), "kimsr", "11월 회의록.pdf")
    web.lp(make_pdf(tmp_path / "chart.pdf", "예산 차트", pages=1, colour_pages={1}), "kimsr", "예산 차트.pdf")
    wait_until(lambda: len([j for j in web.jobs(JobState.HELD) if j.owner.login == "kimsr"]) == 2, what="held")
    job = next(j for j in web.jobs(JobState.HELD) if j.title == "11월 회의록.pdf")
    for locale, language in (("ko-KR", "ko"), ("en-US", "en")):
        visitor = open_visitor(locale)
        for name, path in MAIN_PAGES:
            if name == "jobs":
                visitor.log_in()
            page = visitor.goto(path or f"/jobs/{job.id}")
            assert page.evaluate("document.documentElement.lang") == language
            page.screenshot(path=str(pictures / f"{language}-{name}.png"), full_page=True)
    phone = open_visitor("ko-KR", width=390, height=844)
    phone.log_in()
    for _name, path in MAIN_PAGES[1:]:
        page = phone.goto(path or f"/jobs/{job.id}")
        width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1], f"{path} scrolls sideways on a phone: {width}"
    phone.goto("/jobs").screenshot(path=str(pictures / "ko-jobs-phone.png"), full_page=True)


def test_a_keyboard_alone_gets_around(web, visitor):
    visitor.log_in()
    page = visitor.page
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip" and page.locator(".skip").is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.closest('main') !== null")
    assert focused, "after the skip link, Tab goes into the page's own content"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none", "the keyboard's place is visible"


def _post_head(web, path: str, length: int, cookie: str = "") -> str:
    """Send only the headers and 64 KB of a `length`-byte multipart POST; the status line of the answer."""
    import socket

    boundary = "x" * 20
    head = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{web.port}\r\nContent-Length: {length}\r\n"
            f"Content-Type: multipart/form-data; boundary={boundary}\r\n{cookie}\r\n").encode()
    with socket.create_connection(("127.0.0.1", web.port), timeout=10) as connection:
        connection.sendall(head + b"0" * 65536)
        return connection.recv(4096).split(b"\r\n", 1)[0].decode()


def test_a_huge_upload_is_answered_at_once_and_never_stored(web):
    import json
    import urllib.request

    before = sum(1 for _ in web.runtime.spool.tmp.iterdir())
    assert _post_head(web, "/upload", 10**9).endswith("303 SEE OTHER"), "anonymous: to the login page, unread"
    login = urllib.request.Request(web.url + "/api/v1/session", method="POST", headers={
        "Content-Type": "application/json"}, data=json.dumps({"login": "kimsr", "password": PASSWORD}).encode())
    with urllib.request.urlopen(login, timeout=10) as answer:
        cookie = "Cookie: " + answer.headers["Set-Cookie"].split(";")[0] + "\r\n"
    assert _post_head(web, "/upload", 10**9, cookie).endswith("413 REQUEST ENTITY TOO LARGE")
    assert sum(1 for _ in web.runtime.spool.tmp.iterdir()) == before


def test_the_printer_list_refreshes_in_place_and_keeps_the_choice(web, visitor):
    visitor.log_in()
    page = visitor.page
    if not page.locator("#printers").count():  # no held job of kimsr's: the list is on the page with jobs
        web.lp(make_pdf(web.root / "refresh.pdf", pages=1), "kimsr", "refresh.pdf")
        web.wait_jobs(1, JobState.HELD)
        visitor.goto("/jobs")
    page.get_by_label(re.compile("^dept-b")).check()
    with page.expect_response(re.compile(r"/jobs/printers\?printer=dept-b")):
        page.evaluate("htmx.ajax('GET', '/jobs/printers', {source: '#printers', target: '#printers', "
                      "swap: 'outerHTML'})")
    page.wait_for_function("document.querySelector('#printers input[value=dept-b]').checked")
    visitor.check()
    assert page.locator("#printers").count() == 1 and page.locator("main h1").count() == 1
