"""Who the browser's user is: a server-side session (printrelease.accounts.sessions) whose random token
travels in Flask's signed cookie, and guards for it.

The identity comes from the session alone, never from a request parameter. The cookie holds nothing but
the token: logging out, a password change or disabling the user deletes the session on the server, so
a copy of the cookie stops working at once, on every server. Requests that change
something on the strength of the cookie must be JSON from this site's own pages: a browser sends a
cross-site JSON POST only after a CORS preflight, which this app never grants, and the Origin check
catches the rest.
"""

from __future__ import annotations

import functools
from urllib.parse import urlsplit

from flask import g, request, session

from printrelease.accounts import sessions as web_sessions
from printrelease.accounts.models import User
from printrelease.errors import PrintReleaseError
from printrelease.i18n import N_
from webui.database import get_session

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


class NotLoggedIn(PrintReleaseError):
    code = "not_logged_in"
    template = N_("log in first")


class CrossSiteRequest(PrintReleaseError):
    code = "cross_site_request"
    template = N_("refused: changes need a JSON request from this site's own pages")


def current_user() -> User | None:
    """The logged-in user of this request, looked up once per request."""
    if "web_user" not in g:
        g.web_user = web_sessions.session_user(get_session(), session.get("sid"))
        if g.web_user is not None:
            get_session().commit()  # last_seen_at, at most once a minute
    return g.web_user


def current_login() -> str | None:
    user = current_user()
    return user.login if user else None


def start_session(user: User) -> None:
    """Log `user` in on this browser; the caller commits."""
    token = web_sessions.start_session(get_session(), user, request.remote_addr or "")
    session.clear()  # nothing from before the login carries over into the user's session
    session["sid"] = token
    session.permanent = True
    g.web_user = user


def end_session() -> None:
    """Log out: the session ends on the server (a copy of the cookie is worth nothing) and in the browser."""
    db_session = get_session()
    web_sessions.end_session(db_session, session.get("sid"))
    db_session.commit()
    session.clear()
    g.web_user = None


def check_same_site() -> None:
    """Refuse a state-changing request that a page on another site could have made."""
    if request.method in SAFE_METHODS:
        return
    if not request.is_json:
        raise CrossSiteRequest()
    check_same_origin()


def check_same_origin() -> None:
    """Refuse a request whose Origin (sent by browsers with every POST) is another site."""
    origin = request.headers.get("Origin")
    if origin and urlsplit(origin).netloc != request.host:
        raise CrossSiteRequest()


def login_required(view):
    """Pass the logged-in user's login to the view; an ended session or a disabled user is no login."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        user = current_user()
        if user is None:
            session.clear()
            raise NotLoggedIn()
        return view(user.login, *args, **kwargs)

    return wrapper
