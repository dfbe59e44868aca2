"""Who the browser's user is: the login kept in Flask's signed session cookie, and guards for it.

The identity comes from the session alone, never from a request parameter. Requests that change
something on the strength of the cookie must be JSON from this site's own pages: a browser sends a
cross-site JSON POST only after a CORS preflight, which this app never grants, and the Origin check
catches the rest.
"""

from __future__ import annotations

import functools
from urllib.parse import urlsplit

from flask import request, session

from printrelease.accounts.service import find_user
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


def current_login() -> str | None:
    return session.get("login")


def start_session(login: str) -> None:
    session.clear()  # nothing from before the login carries over into the user's session
    session["login"] = login
    session.permanent = True


def end_session() -> None:
    session.clear()


def check_same_site() -> None:
    """Refuse a state-changing request that a page on another site could have made."""
    if request.method in SAFE_METHODS:
        return
    if not request.is_json:
        raise CrossSiteRequest()
    origin = request.headers.get("Origin")
    if origin and urlsplit(origin).netloc != request.host:
        raise CrossSiteRequest()


def login_required(view):
    """Pass the logged-in user's login to the view; a user disabled since logging in is logged out."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        login = current_login()
        if not login:
            raise NotLoggedIn()
        user = find_user(get_session(), login)
        if user is None or not user.is_active:
            end_session()
            raise NotLoggedIn()
        return view(login, *args, **kwargs)

    return wrapper
