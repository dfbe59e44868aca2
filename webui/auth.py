"""Who the browser's user is: the login kept in Flask's signed session cookie.

Logging in (the page that sets `session["login"]`) comes with the web UI; the API already checks it
and takes the user's identity from nowhere else, never from a request parameter.
"""

from __future__ import annotations

import functools

from flask import session

from printrelease.errors import PrintReleaseError


class NotLoggedIn(PrintReleaseError):
    def __init__(self):
        super().__init__("log in first")


def current_login() -> str | None:
    return session.get("login")


def login_required(view):
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        login = current_login()
        if not login:
            raise NotLoggedIn()
        return view(login, *args, **kwargs)

    return wrapper
