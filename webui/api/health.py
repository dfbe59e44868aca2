"""Health for probes and monitoring: quick checks, as JSON; 503 when the server itself cannot work.

Anyone may ask, so the answer names the checks and their status only: paths, addresses and remedies
are for `printrelease doctor`, which an administrator runs on the server. The checks write (a probe
file in the spool, a transaction in the database) and ask CUPS, so their result is kept a few seconds:
a flood of anonymous requests costs next to nothing, and a probe every few seconds sees fresh news.
"""

import threading
import time

from flask import Blueprint, jsonify

from printrelease.doctor import FAIL, QUICK, run_checks, worst
from webui.database import runtime

bp = Blueprint("health", __name__)
FRESH_FOR = 5.0  # seconds
_lock = threading.Lock()
_last: dict = {}


def _checks() -> list:
    with _lock:  # one request measures; the others waiting meanwhile take its answer
        now = time.monotonic()
        if _last.get("runtime") is not runtime() or now - _last.get("at", -FRESH_FOR) >= FRESH_FOR:
            _last.update(runtime=runtime(), at=now, checks=run_checks(runtime(), QUICK))
        return _last["checks"]


@bp.get("/health")
def health():
    checks = _checks()
    broken = any(c.critical and c.status == FAIL for c in checks)
    return (jsonify(status=worst(checks), checks=[{"name": c.name, "status": c.status} for c in checks]),
            503 if broken else 200)
