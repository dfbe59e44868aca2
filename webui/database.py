"""One session per request, committed by the view that changes something, always closed at teardown."""

from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy.orm import Session

from printrelease.runtime import Runtime


def init_app(app: Flask, runtime: Runtime) -> None:
    app.extensions["printrelease"] = runtime
    app.teardown_appcontext(_close_session)


def runtime() -> Runtime:
    return current_app.extensions["printrelease"]


def get_session() -> Session:
    if "db_session" not in g:
        g.db_session = runtime().sessions()
    return g.db_session


def end_reading() -> None:
    """End this request's transaction once a page's data is read, before the page is drawn.

    On SQLite every transaction holds the database's write lock from its first statement (BEGIN
    IMMEDIATE, printrelease/db.py), so every other request would wait for the drawing too, and SQLite's
    busy handler wakes waiters only every few to 100 ms: with four people at once, /jobs took up to a
    second (BENCHMARKS.md). Committing writes nothing here, and keeps what was loaded (g.user) usable.
    """
    if "db_session" in g:
        g.db_session.commit()


def reads_at_once(view):
    """Mark a GET view that reads its page's data straight away, then calls `end_reading()`: the logged-in
    user is looked up in the same transaction (webui/auth.py) instead of one of its own, which saves a
    BEGIN and a COMMIT, and on PostgreSQL a connection checkout with its ping. Not for a view that reads a
    request body, calls out or waits before its queries: on SQLite its transaction holds the write lock."""
    view.reads_at_once = True
    return view


def _close_session(_exc) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()
