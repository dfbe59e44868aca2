"""Health for probes and monitoring: quick checks, as JSON; 503 when the server itself cannot work.

Anyone may ask, so the answer names the checks and their status only: paths, addresses and remedies
are for `printrelease doctor`, which an administrator runs on the server.
"""

from flask import Blueprint, jsonify

from printrelease.doctor import FAIL, QUICK, run_checks, worst
from webui.database import runtime

bp = Blueprint("health", __name__)


@bp.get("/health")
def health():
    checks = run_checks(runtime(), QUICK)
    broken = any(c.critical and c.status == FAIL for c in checks)
    return (jsonify(status=worst(checks), checks=[{"name": c.name, "status": c.status} for c in checks]),
            503 if broken else 200)
