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
        g.db_session = (runtime().page_sessions if g.get("reading") else runtime().sessions)()
    return g.db_session


def read_only() -> None:
    """This request only reads (a `reads_at_once` view): on SQLite its session takes no write lock, so
    other requests' pages do not wait for it (printrelease.db.make_page_session_factory)."""
    g.reading = True


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
    """Mark a GET view that only reads, straight away, then calls `end_reading()`: it gets a page's
    reading session (`read_only`), and the logged-in user is looked up in the same transaction (webui/auth.py)
    instead of one of its own, which saves a BEGIN and a COMMIT, and on PostgreSQL a connection checkout
    with its ping."""
    view.reads_at_once = True
    return view


def _close_session(_exc) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()
