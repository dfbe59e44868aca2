"""My jobs through the test client: the held jobs with their facts, options, deletion, release refusals,
history with paging and dates, and nobody else's job by any URL."""

from __future__ import annotations

import random
import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from printrelease.localtime import local_date
from printrelease.jobs.models import Job, JobEvent, JobState
from printrelease.printers.models import Printer
from printrelease.prices.service import set_price
from tests.webui.conftest import form_token, hold


@pytest.fixture
def printers(runtime):
    """dept-a ready on the 3rd floor, dept-b jammed, dept-c not polled yet; none reachable (127.0.0.1:1)."""
    from printrelease.db import utcnow

    with runtime.sessions.begin() as session:
        session.add_all([
            Printer(name="dept-a", cups_server="127.0.0.1:1", cups_queue="dept-a", location="3층 기획예산과",
                    supports_duplex=True, supports_color=True, status_state=3, status_reasons="toner-low-warning",
                    status_checked_at=utcnow()),
            Printer(name="dept-b", cups_server="127.0.0.1:1", cups_queue="dept-b", location="5층 민원봉사과",
                    status_state=5, status_reasons="media-jam-error", status_message="용지함 2",
                    status_checked_at=utcnow()),
            Printer(name="dept-c", cups_server="127.0.0.1:1", cups_queue="dept-c", location=""),
        ])


@pytest.fixture
def jobs(runtime, people, pdf):
    """Two held jobs of kimsr's (the older one first), one of leejy's."""
    return {"mine": hold(runtime, "kimsr", "예산안 2013.pdf", pdf, age=timedelta(hours=2)),
            "newer": hold(runtime, "kimsr", "회의록.pdf", pdf, options="sides=two-sided-long-edge"),
            "theirs": hold(runtime, "leejy", "이지영의 보고서.pdf", pdf)}


def page(client, path):
    answer = client.get(path)
    assert answer.status_code == 200, answer.status_code
    return answer.get_data(as_text=True)


def test_held_jobs_oldest_first_with_their_facts_and_cost(client_as, runtime, jobs, printers):
    with runtime.sessions.begin() as session:
        set_price(session, "A4", "KRW", mono="20", colour="100")
    html = page(client_as("user"), "/jobs")
    assert html.index("예산안 2013.pdf") < html.index("회의록.pdf")
    assert "이지영의 보고서" not in html
    assert html.count("₩200") == 2, "2 pages in colour (not measured yet: charged as colour) at ₩100"
    assert "1시간 59분" in html or "22시간" in html
    assert "양면 (긴 쪽)" in html and "컬러" in html


def test_printers_show_where_they_are_and_why_they_cannot_print(client_as, jobs, printers):
    html = page(client_as("user"), "/jobs")
    assert "3층 기획예산과" in html and "토너 부족" in html
    jammed = re.search(r'<input type="radio" name="printer" value="dept-b"[^>]*>', html).group(0)
    assert "disabled" in jammed and "용지 걸림 (용지함 2)" in html
    assert "disabled" not in re.search(r'<input type="radio" name="printer" value="dept-c"[^>]*>', html).group(0)


def test_changing_a_job_to_black_and_white_and_fewer_copies(client_as, runtime, jobs, printers):
    client = client_as("user")
    form = page(client, f"/jobs/{jobs['mine']}")
    assert 'name="monochrome"' in form
    changes = {"copies": "3", "sides": "two-sided-short-edge", "monochrome": "y", "csrf_token": form_token(client)}
    answer = client.post(f"/jobs/{jobs['mine']}", data=changes)
    assert answer.status_code == 303
    with runtime.sessions() as session:
        job = session.get(Job, jobs["mine"])
        assert (job.copies, job.sides, job.color_mode, job.color_pages) == (3, "two-sided-short-edge", "monochrome", 0)
        assert session.scalar(select(JobEvent.actor).where(JobEvent.job_id == job.id, JobEvent.kind == "changed")) \
            == "web:kimsr"
    assert "흑백으로 인쇄합니다" in page(client, f"/jobs/{jobs['mine']}")


@pytest.mark.parametrize("form", [{"copies": "0"}, {"copies": "1000"}, {"copies": "x"}, {"sides": "three-sided"}])
def test_options_a_job_cannot_have_are_refused(client_as, runtime, jobs, printers, form):
    client = client_as("user")
    data = {"copies": "1", "sides": "one-sided", "csrf_token": form_token(client), **form}
    assert client.post(f"/jobs/{jobs['mine']}", data=data).status_code == 400
    with runtime.sessions() as session:
        assert session.get(Job, jobs["mine"]).copies == 1


def test_two_sided_is_not_offered_where_no_printer_can_do_it(client_as, runtime, jobs, printers):
    with runtime.sessions.begin() as session:
        session.execute(update(Printer).values(supports_duplex=False))
    client = client_as("user")
    assert "two-sided" not in page(client, f"/jobs/{jobs['mine']}")
    data = {"copies": "1", "sides": "two-sided-long-edge", "csrf_token": form_token(client)}
    assert client.post(f"/jobs/{jobs['mine']}", data=data).status_code == 400


def test_deleting_asks_first_then_deletes_only_what_was_ticked(client_as, runtime, jobs):
    client = client_as("user")
    token = form_token(client)
    confirm = client.post("/jobs/delete", data={"job": [jobs["mine"]], "csrf_token": token})
    assert confirm.status_code == 200 and "예산안 2013.pdf" in confirm.get_data(as_text=True)
    with runtime.sessions() as session:
        assert session.get(Job, jobs["mine"]).state == JobState.HELD, "not before it is confirmed"
    done = client.post("/jobs/delete", data={"job": [jobs["mine"]], "confirm": "1", "csrf_token": token})
    assert done.status_code == 303
    with runtime.sessions() as session:
        assert session.get(Job, jobs["mine"]).state == JobState.DELETED
        assert session.get(Job, jobs["newer"]).state == JobState.HELD


def test_a_release_needs_jobs_and_a_printer_and_says_why_a_printer_cannot(client_as, runtime, jobs, printers):
    client = client_as("user")
    token = form_token(client)
    nothing = client.post("/jobs/release", data={"printer": "dept-a", "csrf_token": token}, follow_redirects=True)
    assert "출력할 작업을 먼저 선택하세요" in nothing.get_data(as_text=True)
    no_printer = client.post("/jobs/release", data={"job": [jobs["mine"]], "csrf_token": token}, follow_redirects=True)
    assert "프린터를 먼저 고르세요" in no_printer.get_data(as_text=True)
    # dept-a's CUPS server (127.0.0.1:1) does not answer: nothing is sent, the job stays held.
    away = client.post("/jobs/release", data={"job": [jobs["mine"]], "printer": "dept-a", "csrf_token": token},
                       follow_redirects=True)
    assert "보내지 않았습니다" in away.get_data(as_text=True)
    with runtime.sessions() as session:
        assert session.get(Job, jobs["mine"]).state == JobState.HELD


def test_history_pages_and_dates(client_as, runtime, people, pdf):
    ids = [hold(runtime, "kimsr", f"문서 {n}.pdf", pdf, age=timedelta(days=n)) for n in range(25)]
    with runtime.sessions.begin() as session:
        session.execute(update(Job).where(Job.id.in_(ids)).values(state=JobState.EXPIRED))
    client = client_as("user")
    first = page(client, "/jobs/history")
    assert "문서 0.pdf" in first and "문서 19.pdf" in first and "문서 20.pdf" not in first and "만료" in first
    second = page(client, "/jobs/history?page=2")
    assert "문서 20.pdf" in second and "문서 24.pdf" in second and "문서 0.pdf" not in second
    with runtime.sessions() as session:
        day = local_date(session.get(Job, ids[3]).submitted_at, "Asia/Seoul")
    one_day = page(client, f"/jobs/history?since={day}&until={day}")
    assert "문서 3.pdf" in one_day and "문서 2.pdf" not in one_day and "문서 4.pdf" not in one_day
    assert client.get("/jobs/history?since=yesterday").status_code == 400
    assert client.get("/jobs/history?page=²").status_code == 200
    assert "문서 0.pdf" not in page(client_as("other"), "/jobs/history"), "nobody else's history"


def test_a_title_is_text_never_markup(client_as, runtime, people, pdf):
    hold(runtime, "kimsr", '<script>alert("x")</script> 예산 <b>굵게</b>', pdf)
    html = page(client_as("user"), "/jobs")
    assert "<script>alert" not in html and "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; 예산" in html
    assert "<b>굵게</b>" not in html


def statements(runtime, client, path) -> int:
    """How many SQL statements one page takes."""
    from sqlalchemy import event

    seen = []

    def count(*_args):
        seen.append(1)

    event.listen(runtime.engine, "before_cursor_execute", count)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(runtime.engine, "before_cursor_execute", count)
    return len(seen)


def test_pages_take_as_many_queries_for_twenty_jobs_as_for_two(client_as, runtime, people, printers, pdf):
    with runtime.sessions.begin() as session:
        set_price(session, "A4", "KRW", mono="20", colour="100")
    for n in range(2):
        hold(runtime, "kimsr", f"문서 {n}.pdf", pdf)
    client = client_as("user")
    few = {path: statements(runtime, client, path) for path in ("/jobs", "/jobs/history")}
    for n in range(2, 20):
        hold(runtime, "kimsr", f"문서 {n}.pdf", pdf)
    with runtime.sessions.begin() as session:
        session.execute(update(Job).where(Job.title.in_(["문서 0.pdf", "문서 1.pdf"])).values(state=JobState.PRINTED))
    many = {path: statements(runtime, client, path) for path in ("/jobs", "/jobs/history")}
    assert many == few, "no query per job"


def test_the_printer_list_refreshes_alone_and_keeps_the_choice(client_as, jobs, printers):
    fragment = client_as("user").get("/jobs/printers?printer=dept-c").get_data(as_text=True)
    assert fragment.lstrip().startswith('<fieldset class="printers" id="printers"') and "<html" not in fragment
    assert re.search(r'value="dept-c"[^>]*checked', fragment)


@pytest.mark.parametrize("query", ["since=0001-01-01", "until=9999-12-31", "since=2026-02-30", "page=99999999999"])
def test_history_filters_at_the_edges_of_the_calendar_are_answered(client_as, people, query):
    assert client_as("user").get(f"/jobs/history?{query}").status_code in (200, 400)


COOKIE_LIMIT = 4093  # what browsers keep of one cookie; past it they drop the session, and the user is logged out


def session_cookie(answer) -> str:
    (cookie,) = [value for value in answer.headers.getlist("Set-Cookie") if value.startswith("session=")]
    return cookie


def test_long_titles_in_messages_are_shortened_so_the_session_cookie_fits(client_as, runtime, people, pdf):
    """Messages wait in the cookie until a page shows them: three changes made before one is shown."""
    chance = random.Random(1024)
    titles = ["".join(chr(chance.randrange(0x20000, 0x2A6E0)) for _ in range(1024)) for _ in range(3)]
    client = client_as("user")
    token = form_token(client)  # a page shown: it would show (and take out) the messages so far
    for title in titles:  # 1024 ideographs of 4 bytes each, hardly compressible
        answer = client.post(f"/jobs/{hold(runtime, 'kimsr', title, pdf)}",
                             data={"copies": "2", "sides": "one-sided", "csrf_token": token})
        assert answer.status_code == 303 and len(session_cookie(answer)) < COOKIE_LIMIT
    shown = page(client, "/jobs")
    assert all(f"“{title[:99]}…”" in shown and f"“{title}”" not in shown for title in titles), "quoted shortened"


def test_many_refusals_are_listed_a_few_then_counted(client_as, runtime, people, pdf):
    ids = [hold(runtime, "kimsr", f"문서 {n}.pdf", pdf) for n in range(60)]
    with runtime.sessions.begin() as session:
        session.execute(update(Job).where(Job.id.in_(ids)).values(state=JobState.PRINTED))
    client = client_as("user")
    answer = client.post("/jobs/delete", data={"job": [str(i) for i in ids], "confirm": "1",
                                               "csrf_token": form_token(client)})
    assert answer.status_code == 303 and len(session_cookie(answer)) < COOKIE_LIMIT
    shown = page(client, "/jobs")
    assert f"작업 {ids[0]}" in shown and f"작업 {ids[-1]}" not in shown and "55건 더" in shown
