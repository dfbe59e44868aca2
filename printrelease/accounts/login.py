"""Logging in to the web UI with a login name and password, with guessing slowed down; the caller commits.

Every password tried is recorded, right or wrong, so the caller commits even when `log_in` raises.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from printrelease.accounts.directory import Directory
from printrelease.accounts.errors import BadUserRecord
from printrelease.accounts.models import LoginAttempt, User
from printrelease.accounts.passwords import verify_password
from printrelease.accounts.service import add_user, check_login, fitted
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
    template = N_("too many failed logins; try again in %(minutes)s minute(s)")

    def __init__(self, minutes: int):
        super().__init__(minutes=minutes)


@dataclass(frozen=True)
class LoginPolicy:
    """Failures are counted per login name *and address*, and per address: guessing one user's password
    from one place is slowed down, and so is one place trying many names, but nobody elsewhere can lock
    a colleague out, nor made-up names the whole site. Each failure past a limit doubles the wait."""

    window: timedelta = timedelta(minutes=15)
    failures_per_login: int = 5  # of one login from one address
    failures_per_address: int = 20  # of any logins from one address
    first_wait: timedelta = timedelta(seconds=30)
    # A login that has succeeded from an address before is not held back by that address's count: people
    # behind one NAT (or one proxy not yet trusted) are not locked out by whoever guesses among them.
    known_address_days: int = 90


def log_in(session: Session, login: str, password: str, remote_address: str = "",
           policy: LoginPolicy = LoginPolicy(), directory: Directory | None = None) -> User:
    """The active user `login` if `password` is theirs; raises LoginRefused or LoginThrottled.

    With a `directory` (Runtime.directory), a user without a local password (everyone but local
    accounts such as an emergency admin) is checked by binding to it as the user, and created or
    updated from their entry. A directory that cannot be asked raises DirectoryUnavailable and counts
    as no attempt: no password was checked.
    """
    login = login.strip()[:255]
    remote_address = remote_address[:64]
    if not login.isprintable():
        # No account has such a name (check_login refuses them), and PostgreSQL cannot even store a NUL:
        # nothing to look up, to ask the directory about, or to count.
        raise LoginRefused()
    wait = _wait(session, login, remote_address, policy)
    if wait is not None:
        # Not recorded as another failure: no password was tried, and counting these would let anyone
        # keep a colleague locked out for good by knocking every few minutes.
        log.warning("login for %r from %s refused: too many failures", login, remote_address or "?")
        raise LoginThrottled(max(1, math.ceil(wait.total_seconds() / 60)))
    user = session.scalar(select(User).where(User.login == login))
    if directory is not None and (user is None or user.password_hash is None):
        user = _from_directory(session, directory, login, password)
        ok = user is not None and user.is_active
    else:
        ok = verify_password(password, user.password_hash if user else None) and user is not None and user.is_active
    session.add(LoginAttempt(login=login, remote_address=remote_address, succeeded=ok))
    if not ok:
        raise LoginRefused()
    return user


def _from_directory(session: Session, directory: Directory, login: str, password: str) -> User | None:
    """The user the directory accepts `password` for, made or brought up to date from their entry."""
    person = directory.authenticate(login, password)
    if person is None:
        return None
    try:
        canonical = check_login(person.login)
    except BadUserRecord:
        return None
    existing = session.scalar(select(User).where(User.login == canonical))
    if existing is not None and existing.password_hash is not None:
        # A local account (say "admin") logs in with its own password only, never with a directory
        # entry that happens to spell its name.
        return None
    # The directory decides who logs in: its values are taken as far as they fit, never a reason to refuse.
    return add_user(session, canonical, *(fitted(name, getattr(person, name)) for name in
                                          ("display_name", "email", "department_code", "department_name")))


def _wait(session: Session, login: str, remote_address: str, policy: LoginPolicy) -> timedelta | None:
    """How much longer this login from this address must wait, or None if it may try now."""
    now = utcnow()
    since = now - policy.window
    failures = select(func.count(), func.max(LoginAttempt.at)).where(LoginAttempt.succeeded.is_(False))
    successes = select(func.max(LoginAttempt.at)).where(
        LoginAttempt.login == login, LoginAttempt.remote_address == remote_address,
        LoginAttempt.succeeded.is_(True))
    # A user's own count starts again after they got in: old typos should not lock them out later.
    last_success = session.scalar(successes)
    pair_since = max(since, last_success) if last_success else since
    count, last = session.execute(failures.where(
        LoginAttempt.login == login, LoginAttempt.remote_address == remote_address,
        LoginAttempt.at > pair_since)).one()
    wait = _backoff(count, last, policy.failures_per_login, policy, now)
    if wait is None and remote_address:
        known = last_success is not None and last_success > now - timedelta(days=policy.known_address_days)
        if not known:
            count, last = session.execute(failures.where(
                LoginAttempt.remote_address == remote_address, LoginAttempt.at >= since)).one()
            wait = _backoff(count, last, policy.failures_per_address, policy, now)
    return wait


def _backoff(failures: int, last: datetime | None, limit: int, policy: LoginPolicy, now: datetime) -> timedelta | None:
    if failures < limit or last is None:
        return None
    wait = min(policy.first_wait * 2 ** min(failures - limit, 20), policy.window)
    left = last + wait - now
    return left if left > timedelta(0) else None


def forget_old_attempts(session: Session, keep: timedelta = timedelta(days=90)) -> int:
    """Delete login attempts older than `keep`: addresses and names are personal data, kept no longer than
    the audit needs them."""
    old = session.scalars(select(LoginAttempt.id).where(LoginAttempt.at < utcnow() - keep)).all()
    if old:
        session.execute(delete(LoginAttempt).where(LoginAttempt.id.in_(old)))
    return len(old)
