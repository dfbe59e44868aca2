"""Health: the same checks as `printrelease doctor`, as JSON; 503 when the server itself cannot work."""

from flask import Blueprint, jsonify

from printrelease.doctor import FAIL, run_checks, worst
from webui.database import runtime

bp = Blueprint("health", __name__, url_prefix="/api/v1")


@bp.get("/health")
def health():
    checks = run_checks(runtime())
    broken = any(c.critical and c.status == FAIL for c in checks)
    return jsonify(status=worst(checks), checks=[c.as_dict() for c in checks]), 503 if broken else 200
