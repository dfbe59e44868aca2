"""Attacks on what My jobs now makes once: the cached printer list, the rows' links, the page's words, and
the reading pages' session notes written each in a transaction of its own."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import render_template_string, url_for
from flask_babel import force_locale
from sqlalchemy import event, select, update
from sqlalchemy.exc import OperationalError

from printrelease.accounts.models import User, WebSession
from printrelease.accounts.sessions import SEEN_EVERY
from printrelease.db import utcnow
from printrelease.printers.models import Printer
from webui.jobs.rows import id_links

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@pytest.fixture
def printers(runtime):
    with runtime.sessions.begin() as session:
        for name, location in (("dept-a", "3층"), ("dept-b", "4층")):
            session.add(Printer(name=name, cups_server="127.0.0.1:1", cups_queue=name, location=location,
                                status_state=3, status_reasons="", status_checked_at=utcnow()))


def shown(client) -> list[tuple[str, str, str]]:
    """(name, location, state) of each printer on the printer list."""
    html = client.get("/jobs/printers").get_data(as_text=True)
    found = re.findall(r'<label for="printer-\d+">([^<·]*?)(?: · ([^<]*))?\s*<span[^>]*>([^<]*)<', html)
    return [tuple(part.strip() for part in row) for row in found]


def change(runtime, printer: str, **values) -> None:
    with runtime.sessions.begin() as session:
        session.execute(update(Printer).where(Printer.name == printer).values(**values))


def test_a_printer_disabled_renamed_or_moved_shows_so_on_the_next_page(client_as, runtime, people, printers):
    client = client_as("user")
    assert [row[:2] for row in shown(client)] == [("dept-a", "3층"), ("dept-b", "4층")]
    change(runtime, "dept-b", is_active=False)
    assert [row[0] for row in shown(client)] == ["dept-a"], "disabled: gone at once"
    change(runtime, "dept-a", name="dept-c")
    assert [row[0] for row in shown(client)] == ["dept-c"], "renamed"
    change(runtime, "dept-c", location="5층 복도")
    assert shown(client)[0][1] == "5층 복도", "moved"
    change(runtime, "dept-b", is_active=True)
    change(runtime, "dept-c", name="dept-a", location="3층")
    assert [row[:2] for row in shown(client)] == [("dept-a", "3층"), ("dept-b", "4층")], "back as it was"


def test_a_status_that_changes_only_its_message_is_seen(client_as, runtime, people, printers):
    client = client_as("user")
    change(runtime, "dept-a", status_reasons="media-jam-error", status_message="용지함 2")
    assert "용지함 2" in shown(client)[0][2]
    change(runtime, "dept-a", status_message="용지함 3")  # same reasons, same poll time: only the message
    assert "용지함 3" in shown(client)[0][2]


def test_two_users_in_two_languages_interleaved_each_see_their_own(client_as, runtime, people, printers):
    with runtime.sessions.begin() as session:
        session.execute(update(User).where(User.login == "leejy").values(language="en"))
        session.execute(update(User).where(User.login == "kimsr").values(language="ko"))
    korean, english = client_as("user"), client_as("other")
    change(runtime, "dept-a", status_reasons="media-jam-error", status_message="")
    for _ in range(3):
        assert shown(korean)[1][2] == "준비됨" and "용지 걸림" in shown(korean)[0][2]
        assert shown(english)[1][2] == "ready" and "jam" in shown(english)[0][2].lower()


@pytest.mark.parametrize("prefix", ["/9876543210", "/p9876543210q/x", "/98765432100", "/print2026",
                                    "/인쇄".encode().decode("latin-1"),  # WSGI's environ is bytes as latin-1
                                    "/a b", "/a%2Fb", "/1", "/jobs/9876543210/thumbnail"])
@pytest.mark.parametrize("endpoint", ["jobs.detail", "jobs.thumbnail"])
def test_a_rows_links_under_a_prefix_of_digits_or_odd_characters(app, endpoint, prefix):
    with app.test_request_context("/jobs", environ_overrides={"SCRIPT_NAME": prefix}):
        link = id_links(endpoint, "job_id")
        for job_id in (1, 9, 10, 98, 987, 9_876_543_210, 2**31 - 1):
            assert link(job_id) == url_for(endpoint, job_id=job_id), (prefix, job_id)


def test_words_follow_force_locale_in_pages_and_in_macros_without_context(app):
    template = ('{% macro m() %}{{ _("ready") }}{% endmacro %}'
                '{{ _("ready") }}|{{ ngettext("%(num)s job deleted.", "%(num)s jobs deleted.", 2) }}|{{ m() }}')
    with app.test_request_context("/jobs", headers={"Accept-Language": "ko"}):
        assert render_template_string(template).split("|")[0] == "준비됨"
        with force_locale("en"):
            assert render_template_string(template) == "ready|2 jobs deleted.|ready"
        assert render_template_string(template).split("|")[0] == "준비됨", "back to the page's own"
    with app.test_request_context("/jobs", headers={"Accept-Language": "en"}):
        macros = app.jinja_env.from_string('{% macro m() %}{{ _("ready") }}{% endmacro %}')
        with force_locale("ko"):
            assert str(macros.module.m()) == "준비됨", "a macro called without the page's context"


def test_words_outside_a_request_in_an_app_context(app):
    with app.app_context():
        with force_locale("en"):
            assert render_template_string('{{ _("ready") }}') == "ready"


def stale(runtime, by: timedelta) -> None:
    with runtime.sessions.begin() as session:
        session.execute(update(WebSession).values(last_seen_at=utcnow() - by))


def sessions_left(runtime) -> int:
    with runtime.sessions() as session:
        return len(session.scalars(select(WebSession.id)).all())


def test_an_idle_session_ended_by_a_reading_page_is_ended_for_good(app, client_as, runtime, people):
    app.config["SESSION_IDLE_TIMEOUT"] = timedelta(minutes=30)
    client = client_as("user")
    assert client.get("/jobs").status_code == 200
    stale(runtime, timedelta(minutes=30) + SEEN_EVERY + timedelta(seconds=5))
    assert client.get("/jobs").status_code == 303, "idle: to the login page"
    assert sessions_left(runtime) == 0, "and the session's row deleted (committed)"
    assert client.get("/jobs/history").status_code == 303


def test_a_disabled_user_is_refused_by_a_reading_page_even_with_a_note_due(client_as, runtime, people):
    client = client_as("user")
    stale(runtime, SEEN_EVERY + timedelta(seconds=5))
    with runtime.sessions.begin() as session:
        session.execute(update(User).where(User.login == "kimsr").values(is_active=False))
    assert client.get("/jobs").status_code == 303
    assert client.get("/jobs/printers").status_code in (303, 401)


def lock_notes(runtime):
    """From now on every write of a session's note fails as SQLite fails after its busy timeout (another worker holds
    the write lock for longer: a long import, a backup)."""

    def refuse(connection, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("UPDATE WEB_SESSIONS"):
            raise OperationalError(statement, parameters, Exception("database is locked"))

    event.listen(runtime.engine, "before_cursor_execute", refuse)


def test_a_reading_page_is_served_when_only_its_session_note_cannot_be_written(client_as, runtime, people, printers):
    """last_seen_at is bookkeeping (at most once a minute, to the minute): a page that only reads should
    not fail because that one write found the database busy; the next page notes it instead."""
    client = client_as("user")
    stale(runtime, SEEN_EVERY + timedelta(seconds=5))
    lock_notes(runtime)
    answer = client.get("/jobs")
    assert answer.status_code == 200, (answer.status_code, answer.get_data(as_text=True)[:300])
