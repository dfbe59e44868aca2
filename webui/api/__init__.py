"""The JSON API under /api/v1: one parent blueprint over the capture, station, session, me and health
APIs, and what every JSON route reads its input with."""

from __future__ import annotations

from flask import Blueprint, request

from printrelease.credentials.service import BadCredentials
from printrelease.errors import Invalid
from printrelease.i18n import N_


def blueprint() -> Blueprint:
    """A parent `api` blueprint with its children; made per app, as a blueprint is registered once."""
    from webui.api import capture, health, me, session, station

    api = Blueprint("api", __name__, url_prefix="/api/v1")
    for module in (capture, health, me, session, station):
        api.register_blueprint(module.bp)
    return api


def bearer_token() -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise BadCredentials()
    return token.strip()


def json_object() -> dict:
    """The request's JSON object ({} if it sent none); raises Invalid for any other JSON, or for text that
    no database can store (NUL, lone surrogates), so that such input is a 400 and never reaches SQL."""
    try:
        body = request.get_json(silent=True)
    except RecursionError:  # nested deeper than the parser goes: not a request anyone means
        raise Invalid(N_("the request body must be a JSON object")) from None
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise Invalid(N_("the request body must be a JSON object"))
    _check_text(body)
    return body


def _check_text(value) -> None:
    if isinstance(value, str):
        if "\x00" in value or not _encodable(value):
            raise Invalid(N_("the request contains text that is not valid Unicode or holds NUL characters"))
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_text(key)
            _check_text(item)
    elif isinstance(value, list):
        for item in value:
            _check_text(item)


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
