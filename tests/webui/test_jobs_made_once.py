"""What My jobs makes once instead of for every row or page: the printer list in words (kept until a row
changes), the rows' links (one url_for each), and the session's note (a transaction only when there is one)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import url_for
from sqlalchemy import event, update

from printrelease.accounts.models import User, WebSession
from printrelease.accounts.sessions import SEEN_EVERY
from printrelease.db import utcnow
from printrelease.printers.models import Printer
from tests.webui.conftest import hold
from webui.jobs.rows import id_links


@pytest.fixture
def printer(runtime):
    with runtime.sessions.begin() as session:
        session.add(Printer(name="dept-a", cups_server="127.0.0.1:1", cups_queue="dept-a", location="3층",
                            status_state=3, status_reasons="", status_checked_at=utcnow()))


def state_of(html: str) -> str:
    return re.search(r'id="printer-1-state">([^<]*)<', html).group(1)


def poll(runtime, **values) -> None:
    with runtime.sessions.begin() as session:
        session.execute(update(Printer).where(Printer.name == "dept-a").values(status_checked_at=utcnow(), **values))


def test_a_printer_that_jams_between_two_pages_is_shown_jammed_on_the_next(client_as, runtime, people, printer, pdf):
    hold(runtime, "kimsr", "보고서.pdf", pdf)
    client = client_as("user")
    first = client.get("/jobs").get_data(as_text=True)
    assert state_of(first) == "준비됨" and "disabled" not in first.split('value="dept-a"')[1].split(">")[0]
    poll(runtime, status_state=5, status_reasons="media-jam-error", status_message="용지함 2")
    jammed = client.get("/jobs").get_data(as_text=True)
    assert "용지 걸림" in state_of(jammed) and "disabled" in jammed.split('value="dept-a"')[1].split(">")[0]
    poll(runtime, status_state=3, status_reasons="", status_message="")
    assert state_of(client.get("/jobs/printers").get_data(as_text=True)) == "준비됨", "mended: ready again"


def test_the_printer_list_in_one_language_is_never_served_in_the_other(client_as, runtime, people, printer):
    client = client_as("user")
    for language, ready in (("ko", "준비됨"), ("en", "ready"), ("ko", "준비됨")):
        with runtime.sessions.begin() as session:
            session.execute(update(User).where(User.login == "kimsr").values(language=language))
        assert state_of(client.get("/jobs/printers").get_data(as_text=True)) == ready, language


@pytest.mark.parametrize("prefix", ["", "/print"])
@pytest.mark.parametrize("endpoint", ["jobs.detail", "jobs.thumbnail"])
def test_a_rows_links_are_the_ones_url_for_writes(app, endpoint, prefix):
    with app.test_request_context("/jobs", environ_overrides={"SCRIPT_NAME": prefix}):
        link = id_links(endpoint, "job_id")
        for job_id in (1, 7, 42, 9_876_543_210, 98_765_432_100, 10**15):
            assert link(job_id) == url_for(endpoint, job_id=job_id)
        assert link(3).startswith(f"{prefix}/jobs/3")


def test_a_reading_page_begins_a_second_transaction_only_to_note_the_session(client_as, runtime, people, printer):
    client = client_as("user")
    client.get("/jobs")
    begins = []

    def begin(connection):
        begins.append(connection)

    event.listen(runtime.engine, "begin", begin)
    try:
        assert client.get("/jobs").status_code == 200
        assert len(begins) == 1, "nothing to note: the page's own transaction only"
        with runtime.sessions.begin() as session:
            session.execute(update(WebSession).values(last_seen_at=utcnow() - SEEN_EVERY - timedelta(seconds=5)))
        begins.clear()
        assert client.get("/jobs").status_code == 200
        assert len(begins) == 2, "the page's, and the note's of its own"
    finally:
        event.remove(runtime.engine, "begin", begin)
    with runtime.sessions() as session:
        seen = session.query(WebSession.last_seen_at).scalar()
    assert utcnow() - seen < timedelta(seconds=30), "the note was written and committed"
