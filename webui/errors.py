"""Failures as HTTP answers: an HTML page in the reader's language for pages, JSON for the API.

Domain errors map to a status by kind and are worded with `error.words(language)`; HTTP errors (404,
413, a missing CSRF token) get the same two faces; the database being away is one log line and a 503.
"""

from __future__ import annotations

import logging

from flask import Flask, current_app, g, jsonify, redirect, render_template, request, url_for
from flask_babel import force_locale, gettext, lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import HTTPException

from printrelease.accounts.directory import DirectoryUnavailable
from printrelease.accounts.login import LoginRefused, LoginThrottled
from printrelease.credentials.service import BadCredentials
from printrelease.errors import Invalid, NotFound, PrintReleaseError
from printrelease.failures import database_problem
from printrelease.i18n import LANGUAGES
from printrelease.release.errors import PrinterUnavailable
from printrelease.spool import DocumentTooLarge
from webui.auth import CrossSiteRequest, NotAllowed, NotLoggedIn

log = logging.getLogger("printrelease.server")

STATUS = [
    (BadCredentials, 401),
    (NotLoggedIn, 401),
    (LoginRefused, 401),
    (CrossSiteRequest, 403),
    (NotAllowed, 403),
    (LoginThrottled, 429),
    (DocumentTooLarge, 413),
    (NotFound, 404),
    (Invalid, 400),
    (PrinterUnavailable, 503),
    (DirectoryUnavailable, 503),
    (PrintReleaseError, 409),
]


# HTTP errors as a page words them (Werkzeug's own descriptions are English and written for developers):
# a title and what to do, by status; any other status gets a general pair.
HTTP_WORDS = {
    400: (_l("Bad request"), _l("The server could not understand this request. Go back and try again.")),
    401: (_l("Log in first"), _l("This page is for people who have logged in.")),
    403: (_l("Not allowed"), _l("You may not open this page.")),
    404: (_l("Not found"), _l("There is no such page.")),
    405: (_l("Not allowed here"), _l("This address does not take that kind of request.")),
    413: (_l("Too large"), _l("What was sent is too large.")),
    429: (_l("Too many requests"), _l("Too many requests in a short time. Wait a minute and try again.")),
    500: (_l("Something went wrong"),
          _l("The server failed to do this. The failure is in its log; try again later.")),
    503: (_l("Unavailable"), _l("The print server cannot do this just now. Try again in a minute.")),
}


def status_for(error: PrintReleaseError) -> int:
    return next(code for kind, code in STATUS if isinstance(error, kind))


def for_api() -> bool:
    return request.path.startswith("/api/")


def api_language() -> str:
    """The JSON API words messages for programs in English unless the client asks for Korean."""
    return request.accept_languages.best_match(LANGUAGES, default="en")


def domain_error_response(error: PrintReleaseError):
    status = status_for(error)
    response = jsonify(error=error.code, message=error.words(api_language()),
                       params={k: v for k, v in error.params.items() if isinstance(v, (str, int, float))})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="printrelease"'
    return response


def error_page(message: str, status: int, title: str | None = None):
    return render_template("errors/error.html", message=message, status=status,
                           title=title or gettext("Something went wrong")), status


def unexpected_failure(error: Exception) -> tuple[str, int]:
    """Log a failure the request could not handle and return one line for the client: a known cause (the
    database unreachable or not set up) as one log line with its remedy, anything else with its traceback."""
    problem = database_problem(error, current_app.extensions["printrelease"].settings.effective_database_url)
    if problem is not None:
        log.error("%s %s: %s", request.method, request.path, problem.words("en"))
        return f"printrelease server unavailable: {problem.words('en')}", 503
    log.exception("%s %s failed", request.method, request.path)
    return f"printrelease server error ({type(error).__name__}); see the server's log", 500


def _domain_error(error: PrintReleaseError):
    if for_api():
        return domain_error_response(error)
    if isinstance(error, NotLoggedIn):
        if request.headers.get("HX-Request"):
            # A part of a page refreshing itself (htmx) after the session ended: the whole page goes to
            # the login, rather than the login page going into the part.
            return "", 401, {"HX-Redirect": url_for("auth.login")}
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")
                                if request.method == "GET" else None), 303)
    from webui.i18n import language

    return error_page(error.words(language()), status_for(error))


def _http_error(error: HTTPException):
    status = error.code or 500
    if for_api():
        message = error.description or error.name
        if status in HTTP_WORDS and error.description == type(error).description:
            # Werkzeug's stock text is for developers and English only; a route's own description stays.
            with force_locale(api_language()):
                message = str(HTTP_WORDS[status][1])
        response = jsonify(error=error.name.lower().replace(" ", "_"), message=message)
        response.status_code = status
        return response
    if status in HTTP_WORDS:
        title, message = HTTP_WORDS[status]
    else:
        title, message = gettext("Something went wrong"), gettext(
            "The server could not answer this request (error %(status)s).", status=status)
    if isinstance(error, CSRFError):
        title = gettext("Form out of date")
        message = gettext("This form is out of date or was not sent from this site. Go back, reload the page "
                          "and try again.")
    return error_page(str(message), status, str(title))


def _database_error(error: DBAPIError):
    message, status = unexpected_failure(error)
    if for_api():
        response = jsonify(error="unavailable", message=message)
        response.status_code = status
        return response
    g.pop("user", None)  # the page must not need the database to say that the database is away
    return error_page(gettext("The print server cannot reach its database just now. Try again in a minute."),
                      status)


def _unexpected(error: Exception):
    if isinstance(error, (HTTPException, PrintReleaseError, DBAPIError)):
        raise error  # handled by their own handlers; never reached
    message, status = unexpected_failure(error)
    if for_api():
        return jsonify(error="server_error", message=message), status
    return error_page(gettext("The server failed to do this. The failure is in its log; try again later."), status)


def init_app(app: Flask) -> None:
    app.register_error_handler(PrintReleaseError, _domain_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(DBAPIError, _database_error)
    if not app.testing:
        # In tests an unexpected exception propagates, so that the test shows its traceback.
        app.register_error_handler(Exception, _unexpected)
