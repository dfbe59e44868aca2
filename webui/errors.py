"""Domain errors translated to HTTP statuses, with a JSON body a person can read in their language."""

from __future__ import annotations

import logging

from flask import Flask, current_app, jsonify, request
from sqlalchemy.exc import DBAPIError

from printrelease.accounts.login import LoginRefused, LoginThrottled
from printrelease.credentials.service import BadCredentials
from printrelease.errors import Invalid, NotFound, PrintReleaseError
from printrelease.failures import database_problem
from printrelease.i18n import LANGUAGES
from printrelease.release.errors import PrinterUnavailable
from printrelease.spool import DocumentTooLarge
from webui.auth import CrossSiteRequest, NotLoggedIn

log = logging.getLogger("printrelease.server")

STATUS = [
    (BadCredentials, 401),
    (NotLoggedIn, 401),
    (LoginRefused, 401),
    (CrossSiteRequest, 403),
    (LoginThrottled, 429),
    (DocumentTooLarge, 413),
    (NotFound, 404),
    (Invalid, 400),
    (PrinterUnavailable, 503),
    (PrintReleaseError, 409),
]


def status_for(error: PrintReleaseError) -> int:
    return next(code for kind, code in STATUS if isinstance(error, kind))


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


def unexpected_failure(error: Exception) -> tuple[str, int]:
    """Log a failure the request could not handle and return one line for the client: a known cause (the
    database unreachable or not set up) as one log line with its remedy, anything else with its traceback."""
    problem = database_problem(error, current_app.extensions["printrelease"].settings.effective_database_url)
    if problem is not None:
        log.error("%s %s: %s", request.method, request.path, problem)
        return f"printrelease server unavailable: {problem.words('en')}", 503
    log.exception("%s %s failed", request.method, request.path)
    return f"printrelease server error ({type(error).__name__}); see the server's log", 500


def init_app(app: Flask) -> None:
    app.register_error_handler(PrintReleaseError, domain_error_response)

    @app.errorhandler(DBAPIError)
    def _database_error(error: DBAPIError):
        message, status = unexpected_failure(error)
        response = jsonify(error="unavailable", message=message)
        response.status_code = status
        return response
