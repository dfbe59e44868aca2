"""Issuing and checking machine tokens."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from printrelease.credentials.models import ApiToken
from printrelease.errors import PrintReleaseError

CAPTURE = "capture"


class BadCredentials(PrintReleaseError):
    def __init__(self):
        super().__init__("missing, unknown or revoked token")


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
