"""Liveness and readiness: is the server up, can it reach its database."""

from flask import Blueprint, jsonify
from sqlalchemy import text

from webui.database import get_session

bp = Blueprint("health", __name__, url_prefix="/api/v1")


@bp.get("/health")
def health():
    get_session().execute(text("SELECT 1"))
    return jsonify(status="ok")
