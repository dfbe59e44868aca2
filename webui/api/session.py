"""Logging in and out from a program or a script: POST and DELETE /api/v1/session (JSON from this site)."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from printrelease.accounts.login import log_in
from printrelease.errors import Invalid
from printrelease.i18n import N_
from webui.api import json_object
from webui.auth import check_same_site, end_session, start_session
from webui.database import get_session, runtime

bp = Blueprint("session", __name__)
bp.before_request(check_same_site)


@bp.post("/session")
def create():
    body = json_object()
    login, password = body.get("login"), body.get("password")
    if not (isinstance(login, str) and login.strip() and isinstance(password, str)):
        raise Invalid(N_("give 'login' and 'password'"))
    session = get_session()
    try:
        user = log_in(session, login, password, request.remote_addr or "", directory=runtime().directory)
    finally:
        session.commit()  # the attempt is recorded whether or not it succeeded
    start_session(user)
    session.commit()
    return jsonify(login=user.login, display_name=user.display_name), 201


@bp.delete("/session")
def delete():
    end_session()
    return "", 204
