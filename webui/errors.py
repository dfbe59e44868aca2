"""Domain errors translated to HTTP statuses, with a JSON body a person can read in their language."""

from __future__ import annotations

from flask import Flask, jsonify, request

from printrelease.accounts.login import LoginRefused, LoginThrottled
from printrelease.credentials.service import BadCredentials
from printrelease.errors import Invalid, NotFound, PrintReleaseError
from printrelease.i18n import LANGUAGES
from printrelease.release.errors import PrinterUnavailable
from printrelease.spool import DocumentTooLarge
from webui.auth import CrossSiteRequest, NotLoggedIn

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


def init_app(app: Flask) -> None:
    @app.errorhandler(PrintReleaseError)
    def _domain_error(error: PrintReleaseError):
        status = status_for(error)
        response = jsonify(error=error.code, message=error.words(api_language()),
                           params={k: v for k, v in error.params.items() if isinstance(v, (str, int, float))})
        response.status_code = status
        if status == 401:
            response.headers["WWW-Authenticate"] = 'Bearer realm="printrelease"'
        return response
