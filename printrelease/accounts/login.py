"""Logging in to the web UI with a login name and password, with guessing slowed down; the caller commits.

Every password tried is recorded, right or wrong, so the caller commits even when `log_in` raises.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from printrelease.accounts.models import LoginAttempt, User
from printrelease.accounts.passwords import verify_password
from printrelease.db import utcnow
from printrelease.errors import PrintReleaseError
from printrelease.i18n import N_

log = logging.getLogger(__name__)


class LoginRefused(PrintReleaseError):
    # One message for unknown users, wrong passwords and disabled accounts: no hint which it was.
    code = "login_refused"
    template = N_("wrong login name or password")


class LoginThrottled(PrintReleaseError):
    code = "login_throttled"
    template = N_("too many failed logins; try again in %(minutes)s minutes")

    def __init__(self, minutes: int):
        super().__init__(minutes=minutes)


@dataclass(frozen=True)
class LoginPolicy:
    window: timedelta = timedelta(minutes=15)
    failures_per_login: int = 5
    failures_per_address: int = 20


def log_in(session: Session, login: str, password: str, remote_address: str = "",
           policy: LoginPolicy = LoginPolicy()) -> User:
    """The active user `login` if `password` is theirs; raises LoginRefused or LoginThrottled."""
    login = login.strip()[:255]
    remote_address = remote_address[:64]
    if _throttled(session, login, remote_address, policy):
        # Not recorded as another failure: no password was tried, and counting these would let anyone
        # keep a colleague locked out for good by knocking every few minutes.
        log.warning("login for %r from %s refused: too many failures", login, remote_address or "?")
        raise LoginThrottled(int(policy.window.total_seconds() // 60))
    user = session.scalar(select(User).where(User.login == login))
    ok = verify_password(password, user.password_hash if user else None) and user is not None and user.is_active
    session.add(LoginAttempt(login=login, remote_address=remote_address, succeeded=ok))
    if not ok:
        raise LoginRefused()
    return user


def _throttled(session: Session, login: str, remote_address: str, policy: LoginPolicy) -> bool:
    since = utcnow() - policy.window
    failures = select(func.count()).select_from(LoginAttempt).where(LoginAttempt.succeeded.is_(False))
    # A user's own count starts again after they got in: old typos should not lock them out later.
    last_success = session.scalar(select(func.max(LoginAttempt.at)).where(
        LoginAttempt.login == login, LoginAttempt.succeeded.is_(True)))
    login_since = max(since, last_success) if last_success else since
    by_login = session.scalar(failures.where(LoginAttempt.login == login, LoginAttempt.at > login_since))
    if by_login >= policy.failures_per_login:
        return True
    return bool(remote_address) and session.scalar(failures.where(
        LoginAttempt.remote_address == remote_address, LoginAttempt.at >= since)) >= policy.failures_per_address


def forget_old_attempts(session: Session, keep: timedelta = timedelta(days=90)) -> int:
    """Delete login attempts older than `keep`: addresses and names are personal data, kept no longer than
    the audit needs them."""
    old = session.scalars(select(LoginAttempt.id).where(LoginAttempt.at < utcnow() - keep)).all()
    if old:
        session.execute(delete(LoginAttempt).where(LoginAttempt.id.in_(old)))
    return len(old)
