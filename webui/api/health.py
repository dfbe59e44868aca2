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
# While one request measures again, the others answer with the last measurement, this much older at most:
# a CUPS or a database that is slow to answer must not stall every probe (a balancer would drop the server).
STALE_FOR = 30.0
_lock = threading.Lock()
_last: dict = {}  # "measured": (runtime, monotonic time, checks), replaced whole, so read without the lock


def _age(measured) -> float | None:
    return time.monotonic() - measured[1] if measured is not None and measured[0] is runtime() else None


def _checks() -> list:
    """The last measurement while fresh; else measured again by one request, the others meanwhile taking
    the last one while it is not too stale, or waiting for the new one."""
    measured = _last.get("measured")
    age = _age(measured)
    if age is not None and age < FRESH_FOR:
        return measured[2]
    if not _lock.acquire(blocking=age is None or age >= STALE_FOR):
        return measured[2]  # someone is measuring; their answer is a moment away
    try:
        measured = _last.get("measured")
        age = _age(measured)
        if age is None or age >= FRESH_FOR:
            checks = run_checks(runtime(), QUICK)
            measured = _last["measured"] = (runtime(), time.monotonic(), checks)
        return measured[2]
    finally:
        _lock.release()


@bp.get("/health")
def health():
    checks = _checks()
    broken = any(c.critical and c.status == FAIL for c in checks)
    return (jsonify(status=worst(checks), checks=[{"name": c.name, "status": c.status} for c in checks]),
            503 if broken else 200)
