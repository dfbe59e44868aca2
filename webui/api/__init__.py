"""Machine-facing JSON API (CUPS backend, card stations)."""

from __future__ import annotations

from flask import request

from printrelease.credentials.service import BadCredentials


def bearer_token() -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise BadCredentials()
    return token.strip()
