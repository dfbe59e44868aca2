"""What My jobs reads for each request: a fixed few statements in one transaction, and the logged-in user
looked up afresh every time, so that disabling a user or ending their session takes effect at once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event, select, update

from printrelease.accounts.models import User, WebSession
from printrelease.db import utcnow
from printrelease.jobs.models import Job
from printrelease.printers.models import Printer
from printrelease.prices.service import set_price
from tests.webui.conftest import hold

PAGES = ("/jobs", "/jobs/history", "/jobs/printers")


@pytest.fixture
def priced(runtime):
    with runtime.sessions.begin() as session:
        set_price(session, "A4", "KRW", mono="20", colour="100")
        session.add_all([Printer(name=f"dept-{n}", cups_server="127.0.0.1:1", cups_queue=f"dept-{n}",
                                 status_checked_at=utcnow()) for n in range(3)])


def reads(runtime, client, path) -> tuple[list[str], int]:
    """The SQL statements one page runs (without SQLite's BEGIN) and how many transactions it begins."""
    statements, begins = [], []

    def statement(_conn, _cursor, sql, *_args):
        if not sql.startswith("BEGIN"):
            statements.append(sql)

    def begin(connection):
        begins.append(connection)

    event.listen(runtime.engine, "before_cursor_execute", statement)
    event.listen(runtime.engine, "begin", begin)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(runtime.engine, "before_cursor_execute", statement)
        event.remove(runtime.engine, "begin", begin)
    return statements, len(begins)


def test_my_jobs_is_four_statements_in_one_transaction_however_many_jobs(client_as, runtime, people, priced,
                                                                         pdf):
    client = client_as("user")
    hold(runtime, "kimsr", "문서 0.pdf", pdf)
    few, transactions = reads(runtime, client, "/jobs")
    for n in range(1, 12):
        hold(runtime, "kimsr", f"문서 {n}.pdf", pdf, options="sides=two-sided-long-edge" if n % 2 else "")
    many, _ = reads(runtime, client, "/jobs")
    # The session with its user, the held jobs, the price in force, the printers.
    assert len(few) == len(many) == 4 and transactions == 1
    jobs = next(sql for sql in many if "FROM jobs" in sql)
    assert "JOIN" not in jobs and "departments" not in " ".join(many), "no owner, department or printer joined"


def test_the_history_and_the_printer_list_share_the_lookups_transaction(client_as, runtime, people, priced):
    client = client_as("user")
    for path in ("/jobs/history", "/jobs/printers"):
        assert reads(runtime, client, path)[1] == 1


@pytest.mark.parametrize("path", PAGES)
def test_a_disabled_user_is_refused_at_the_next_request(client_as, runtime, people, path):
    client = client_as("user")
    assert client.get(path).status_code == 200
    with runtime.sessions.begin() as session:  # straight in the database: the session row stays
        session.execute(update(User).where(User.login == "kimsr").values(is_active=False))
    assert client.get(path).status_code in (303, 401)


@pytest.mark.parametrize("path", PAGES)
def test_a_session_ended_elsewhere_is_refused_at_the_next_request(client_as, runtime, people, path):
    client = client_as("user")
    assert client.get(path).status_code == 200
    with runtime.sessions.begin() as session:  # logged out on another server, or by a password change
        session.execute(WebSession.__table__.delete())
    assert client.get(path).status_code in (303, 401)


def test_reading_pages_still_note_when_the_session_was_last_used(client_as, runtime, people):
    client = client_as("user")
    long_ago = utcnow() - timedelta(minutes=5)
    with runtime.sessions.begin() as session:
        session.execute(update(WebSession).values(last_seen_at=long_ago))
    assert client.get("/jobs").status_code == 200
    with runtime.sessions() as session:
        assert session.scalar(select(WebSession.last_seen_at)) > long_ago + timedelta(minutes=4)


def test_the_estimate_read_from_columns_is_the_jobs_own(client_as, runtime, people, priced, pdf):
    """Two pages in colour, two copies, at ₩100 a colour impression; in black and white at ₩20."""
    colour = hold(runtime, "kimsr", "컬러.pdf", pdf, copies="2")
    hold(runtime, "kimsr", "흑백.pdf", pdf, options="print-color-mode=monochrome")
    with runtime.sessions.begin() as session:
        session.execute(update(Job).where(Job.id == colour).values(color_pages=1))
    html = client_as("user").get("/jobs").get_data(as_text=True)
    assert html.index("컬러.pdf") < html.index("₩240") < html.index("흑백.pdf") < html.index("₩40")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # PostgreSQL's reads take no lock
def test_on_sqlite_my_jobs_is_read_while_another_request_holds_the_write_lock(client_as, runtime, people, pdf):
    """Pages that only read begin deferred: they neither take SQLite's write lock nor wait for it."""
    import sqlite3

    from sqlalchemy import make_url

    hold(runtime, "kimsr", "문서.pdf", pdf)
    client = client_as("user")
    writer = sqlite3.connect(make_url(runtime.settings.effective_database_url).database, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    try:
        for path in PAGES:
            assert client.get(path).status_code == 200
    finally:
        writer.execute("ROLLBACK")
        writer.close()
