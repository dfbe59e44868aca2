"""Domain errors translated to HTTP statuses with a JSON body a person can read."""

from __future__ import annotations

from flask import Flask, jsonify

from printrelease.credentials.service import BadCredentials
from printrelease.errors import Invalid, NotFound, PrintReleaseError
from printrelease.release.errors import PrinterUnavailable
from printrelease.spool import DocumentTooLarge
from printrelease.accounts.login import LoginRefused, LoginThrottled
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


def init_app(app: Flask) -> None:
    @app.errorhandler(PrintReleaseError)
    def _domain_error(error: PrintReleaseError):
        status = status_for(error)
        response = jsonify(error=type(error).__name__, message=str(error))
        response.status_code = status
        if status == 401:
            response.headers["WWW-Authenticate"] = 'Bearer realm="printrelease"'
        return response
