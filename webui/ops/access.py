"""Who may read /metrics: a scraper with the bearer token whose SHA-256 is PRINTRELEASE_METRICS_TOKEN, or a
client on this machine that came straight to the server, not through a proxy.

The figures name no person, but they tell how much the office prints and when, and how the server
fares: not for every desk. The token is compared as its hash, so the configuration never holds it.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress

from flask import request

# A request that a proxy passed on carries one of these; its client is elsewhere, whatever REMOTE_ADDR says.
FORWARDING_HEADERS = ("X-Forwarded-For", "X-Real-IP", "Forwarded")


def _from_this_machine() -> bool:
    if any(name in request.headers for name in FORWARDING_HEADERS):
        return False
    try:
        return ipaddress.ip_address(request.remote_addr or "").is_loopback
    except ValueError:
        return False


def _bearer() -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def metrics_access(token_sha256: str | None) -> int:
    """200 if this request may read the metrics; else 401 (no token given) or 403 (a wrong one, or none
    possible: no token is configured and the client is not on this machine)."""
    token = _bearer()
    if token is not None and token_sha256 is not None:
        digest = hashlib.sha256(token.encode()).hexdigest()
        return 200 if hmac.compare_digest(digest, token_sha256) else 403
    if _from_this_machine():
        return 200
    return 401 if token_sha256 else 403
