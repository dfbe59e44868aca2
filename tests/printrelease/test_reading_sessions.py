"""Sessions that only read (Runtime.reading_sessions): a long report and a writer do not wait for each other,
and the site settings are read beside a request's own open transaction."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import func, make_url, select
from sqlalchemy.exc import DBAPIError

from printrelease.accounts.models import User
from printrelease.accounts.service import add_user
from printrelease.config import Settings
from printrelease.runtime import Runtime
from tests.conftest import fresh_database


def sqlite_writer(runtime):
    """A plain connection that gives up after 0.2 s if someone holds the write lock (the app's wait 30 s)."""
    return sqlite3.connect(make_url(runtime.settings.effective_database_url).database, timeout=0.2,
                           isolation_level=None)


def test_a_reading_session_holds_no_lock_that_writers_wait_for(runtime):
    with runtime.reading_sessions() as reading:
        assert reading.scalar(select(func.count()).select_from(User)) == 0  # its transaction is open
        if reading.get_bind().dialect.name == "sqlite":
            writer = sqlite_writer(runtime)
            writer.execute("BEGIN IMMEDIATE")  # "database is locked" after 0.2 s if the reader held it
            writer.execute("ROLLBACK")
            writer.close()
        with runtime.sessions.begin() as session:
            add_user(session, "kimsr", "김성렬")
        # The reader goes on with what it saw when it began (one snapshot for the whole report).
        assert reading.scalar(select(func.count()).select_from(User)) in (0, 1)


def test_the_site_settings_are_read_beside_an_open_transaction(runtime):
    """A page holds its request's transaction (on SQLite, the write lock) and asks for the site's settings,
    which the cache reads with a session of its own: that one must not wait for the first."""
    with runtime.sessions() as request_session:
        request_session.scalar(select(func.count()).select_from(User))
        runtime.site_settings.forget()
        assert runtime.site_settings.values().hold_time == runtime.settings.hold_time


def test_on_postgresql_a_reading_session_cannot_write(request, tmp_path):
    """SQLite has no read-only transactions; PostgreSQL's are, so a report's session cannot change a thing."""
    url = fresh_database(request, "postgresql", tmp_path)
    runtime = Runtime(Settings(data_dir=tmp_path / "data", database_url=url))
    try:
        with runtime.reading_sessions() as reading:
            with pytest.raises(DBAPIError, match="read-only transaction"):
                add_user(reading, "leejy", "이지영")
                reading.flush()
    finally:
        runtime.close()
