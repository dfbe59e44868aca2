"""Web sessions kept in the database, so that they can be ended: the browser holds only a random token
(inside Flask's signed cookie) and the server its hash; the caller commits."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import Executable, bindparam, delete, select, update
from sqlalchemy.orm import Session, lazyload

from printrelease.accounts.models import User, WebSession
from printrelease.db import utcnow

LIFETIME = timedelta(hours=8)
SEEN_EVERY = timedelta(minutes=1)  # last_seen_at is a hint for admins, not worth a write per request

# Every page asks this first, so it is one statement built once: the session's few columns and its user,
# whose department (joined by default) is loaded only where a page reads it. Nothing of it is kept
# between requests, so a user disabled or logged out is refused at the very next one.
_SESSION_USER = (select(WebSession.id, WebSession.expires_at, WebSession.last_seen_at, User)
                 .join(User, User.id == WebSession.user_id)
                 .where(WebSession.token_hash == bindparam("token_hash"))
                 .options(lazyload(User.department)))


def _hash(token: str) -> str:
    # 256 random bits: a plain SHA-256 is as good as a slow hash here (as for API tokens).
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(session: Session, user: User, remote_address: str = "", lifetime: timedelta = LIFETIME) -> str:
    """A new session for `user`; returns its token, which only the browser keeps."""
    now = utcnow()
    session.execute(delete(WebSession).where(WebSession.expires_at <= now))  # whoever's: they are over
    token = secrets.token_urlsafe(32)
    session.add(WebSession(token_hash=_hash(token), user=user, created_at=now, last_seen_at=now,
                           expires_at=now + lifetime, remote_address=remote_address[:64]))
    session.flush()
    return token


def session_user(session: Session, token: str | None, idle: timedelta | None = None,
                 notes: Callable[[Executable], None] | None = None) -> User | None:
    """The active user whose unexpired session `token` is, or None; notes when it was last used.

    With `idle`, a session unused for longer is ended (deleted) and None returned. last_seen_at moves at
    most once every SEEN_EVERY, so idle expiry is to that precision. Those notes are written through
    `session`, or, when `session` only reads, handed to `notes`, which writes each in a transaction of
    its own: the caller's to make, when there is a note (once a minute), not for every page.
    """
    if not token or not isinstance(token, str):
        return None
    found = session.execute(_SESSION_USER, {"token_hash": _hash(token)}).first()
    now = utcnow()
    if found is None or found.expires_at <= now or not found.User.is_active:
        return None
    if idle is not None and now - found.last_seen_at > idle + SEEN_EVERY:
        (notes or session.execute)(delete(WebSession).where(WebSession.id == found.id))
        return None
    if now - found.last_seen_at > SEEN_EVERY:
        (notes or session.execute)(update(WebSession).where(WebSession.id == found.id).values(last_seen_at=now))
    return found.User


def end_session(session: Session, token: str | None) -> None:
    if token and isinstance(token, str):
        session.execute(delete(WebSession).where(WebSession.token_hash == _hash(token)))


def end_user_sessions(session: Session, user: User) -> int:
    """End every session of `user`, on every server (a password change, a disabled account)."""
    return session.execute(delete(WebSession).where(WebSession.user_id == user.id)).rowcount
