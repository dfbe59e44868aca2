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


def _close_session(_exc) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()
