"""Who the browser's user is, and the login and logout pages.

A server-side session (printrelease.accounts.sessions) whose random token travels in Flask's signed
cookie: the identity comes from the session alone, never from a request parameter, and the cookie holds
nothing but the token (and the form key of Flask-WTF). Logging out, a password change or disabling the
user deletes the session on the server, so a copy of the cookie stops working at once, on every server.
A session ends after `SESSION_IDLE_TIMEOUT` unused and `accounts.sessions.LIFETIME` in all.

The JSON API changes things on the strength of the cookie only for JSON from this site's own pages: a
browser sends a cross-site JSON POST only after a CORS preflight, which this app never grants, and the
Origin check catches the rest. Pages use forms with Flask-WTF's CSRF token (webui/security.py).
"""

from __future__ import annotations

import functools
import logging
from urllib.parse import urlsplit

from flask import Blueprint, current_app, g, redirect, render_template, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy.exc import OperationalError
from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import InputRequired, Length

from printrelease.accounts.directory import DirectoryUnavailable
from printrelease.accounts.login import LoginRefused, LoginThrottled, log_in
from printrelease.accounts import sessions as web_sessions
from printrelease.accounts.models import User
from printrelease.accounts.roles import has_role
from printrelease.errors import PrintReleaseError
from printrelease.failures import one_line
from printrelease.i18n import N_
from webui.database import get_session, read_only, runtime

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
log = logging.getLogger(__name__)

bp = Blueprint("auth", __name__)


class NotLoggedIn(PrintReleaseError):
    code = "not_logged_in"
    template = N_("log in first")


class NotAllowed(PrintReleaseError):
    code = "forbidden"
    template = N_("this page is for %(role)s users only")


class CrossSiteRequest(PrintReleaseError):
    code = "cross_site_request"
    template = N_("refused: changes need a JSON request from this site's own pages")


@bp.before_app_request
def load_logged_in_user() -> None:
    """flaskr's loader: `g.user` is the logged-in user, or None. Looked up afresh for every request, so
    that a user disabled or logged out (on any server) is refused at the next one."""
    g.user = None
    token = session.get("sid")
    if token is None or request.endpoint == "static":
        return
    idle = current_app.config["SESSION_IDLE_TIMEOUT"]
    if request.method in SAFE_METHODS and getattr(current_app.view_functions.get(request.endpoint),
                                                  "reads_at_once", False):
        # The view reads on in this transaction and ends it; the rare notes (last_seen_at at most once a
        # minute, an idle session ended) go through a writing session of their own.
        read_only()
        g.user = web_sessions.session_user(get_session(), token, idle=idle, notes=_write_note)
    else:
        db = get_session()
        g.user = web_sessions.session_user(db, token, idle=idle)
        # last_seen_at, an idle session ended; and a read transaction is not left open.
        db.commit()
    if g.user is None:
        session.pop("sid", None)


def _write_note(statement) -> None:
    """A reading page's note about its session, in a transaction of its own (made only when there is one).
    It is bookkeeping (last seen, to the minute; an idle session already refused): a database too busy
    for it costs the page nothing, and the next page notes it instead."""
    try:
        with runtime().sessions.begin() as notes:
            notes.execute(statement)
    except OperationalError as error:
        log.warning("session note not written: %s", one_line(error, runtime().settings.effective_database_url))


def start_session(user: User) -> None:
    """Log `user` in on this browser; the caller commits."""
    # The browser's session before this login ends on the server too: a copy of its cookie (planted
    # before the login, or taken) must not stay logged in beside the new one.
    web_sessions.end_session(get_session(), session.get("sid"))
    token = web_sessions.start_session(get_session(), user, request.remote_addr or "")
    session.clear()  # nothing from before the login carries over (no fixation, a fresh CSRF key)
    session["sid"] = token
    session.permanent = True
    g.user = user


def end_session() -> None:
    """Log out: the session ends on the server (a copy of the cookie is worth nothing) and in the browser."""
    db_session = get_session()
    web_sessions.end_session(db_session, session.get("sid"))
    db_session.commit()
    session.clear()
    g.user = None


def check_same_site() -> None:
    """Refuse a state-changing JSON API request that a page on another site could have made."""
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
    """The view runs only for a logged-in user (`g.user`); otherwise NotLoggedIn, which pages answer with
    the login page and the API with 401."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if g.get("user") is None:
            raise NotLoggedIn()
        return view(*args, **kwargs)

    return wrapper


def role_required(role: str):
    """`@role_required("finance")`: logged in, and with that role (admins have every role)."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            if g.get("user") is None:
                raise NotLoggedIn()
            if not has_role(g.user, role):
                raise NotAllowed(role=role)
            return view(*args, **kwargs)

        return wrapper

    return decorate


def safe_next(target: str | None, default: str | None = None) -> str:
    """`target` if it is a path on this site, else `default` (My jobs): never an open redirect."""
    fallback = default or url_for("jobs.index")
    if not target or not isinstance(target, str) or len(target) > 2000:
        return fallback
    if any(ch in target for ch in "\\\r\n\t\x00") or not target.startswith("/") or target.startswith("//"):
        return fallback
    parts = urlsplit(target)
    return target if not (parts.scheme or parts.netloc) else fallback


class LoginForm(FlaskForm):
    login = StringField(_l("Login name"), validators=[InputRequired(), Length(max=255)])
    password = PasswordField(_l("Password"), validators=[InputRequired(), Length(max=1024)])
    next = HiddenField()


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm(next=request.args.get("next", ""))
    if g.user is not None and request.method == "GET":
        return redirect(safe_next(form.next.data), 303)
    problem, status = None, 200
    if form.validate_on_submit():
        db = get_session()
        try:
            user = log_in(db, form.login.data, form.password.data, request.remote_addr or "",
                          directory=runtime().directory)
        except (LoginRefused, LoginThrottled, DirectoryUnavailable) as error:
            problem, status = error, {LoginRefused: 401, LoginThrottled: 429}.get(type(error), 503)
        finally:
            db.commit()  # the attempt is recorded whether or not it succeeded
        if problem is None:
            start_session(user)
            db.commit()
            return redirect(safe_next(form.next.data), 303)
    elif form.is_submitted():
        status = 400
    return render_template("auth/login.html", form=form, problem=problem), status


@bp.post("/logout")
def logout():
    """A plain form on every page, with the CSRF token; the Origin check stays as a second lock."""
    check_same_origin()
    end_session()
    return redirect(url_for("auth.login"), 303)
