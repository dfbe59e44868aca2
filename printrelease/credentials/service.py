"""Issuing and checking machine tokens."""

from __future__ import annotations

import hashlib
import secrets
import threading
import time

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from printrelease.credentials.models import ApiToken
from printrelease.errors import PrintReleaseError
from printrelease.i18n import N_

CAPTURE = "capture"


class BadCredentials(PrintReleaseError):
    code = "bad_credentials"
    template = N_("missing, unknown or revoked token")


def hash_token(token: str) -> str:
    # Tokens are 256 random bits, so a plain SHA-256 is as good as a slow hash here.
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(session: Session, kind: str, name: str) -> tuple[ApiToken, str]:
    """Create a credential and return it with the token, which is shown once and never stored."""
    token = secrets.token_urlsafe(32)
    credential = ApiToken(kind=kind, name=name, token_hash=hash_token(token))
    session.add(credential)
    session.flush()
    return credential, token


def authenticate(session: Session, kind: str, token: str | None) -> ApiToken:
    if not token:
        raise BadCredentials()
    credential = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
    if credential is None or credential.revoked or credential.kind != kind:
        raise BadCredentials()
    return credential


def revoke(session: Session, kind: str, name: str) -> int:
    count = 0
    for credential in session.scalars(select(ApiToken).where(ApiToken.kind == kind, ApiToken.name == name)):
        credential.revoked = True
        count += 1
    return count


def has_active(session: Session, kind: str, name: str) -> bool:
    """Whether `name` holds a credential of `kind` that is not revoked."""
    query = select(ApiToken.id).where(ApiToken.kind == kind, ApiToken.name == name, ApiToken.revoked.is_(False))
    return session.scalar(query.limit(1)) is not None


class VerifiedTokens:
    """Tokens found valid in the last `ttl` seconds, so that the capture path, which every print job
    takes, need not look its token up in the database each time.

    Only successes are remembered: a new token works at once, and a revoked one stops working within
    `ttl` seconds.
    """

    def __init__(self, sessions: sessionmaker, ttl: float = 10.0, capacity: int = 1000):
        self._sessions, self._ttl, self._capacity = sessions, ttl, capacity
        self._verified: dict[tuple[str, str], tuple[float, int]] = {}
        self._lock = threading.Lock()

    def check(self, kind: str, token: str | None) -> int:
        """The id of the valid credential of `kind` with this token; raises BadCredentials."""
        if not token:
            raise BadCredentials()
        key, now = (kind, hash_token(token)), time.monotonic()
        with self._lock:
            seen = self._verified.get(key)
        if seen is not None and now - seen[0] < self._ttl:
            return seen[1]
        with self._sessions() as session:
            credential_id = authenticate(session, kind, token).id
        with self._lock:
            if len(self._verified) >= self._capacity:
                self._verified.clear()
            self._verified[key] = (now, credential_id)
        return credential_id
