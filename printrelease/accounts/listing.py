"""Users as administrators look for them: searched by name, a page at a time, with each one's last login."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from printrelease.accounts.models import Department, LoginAttempt, User
from printrelease.accounts.roles import check_role
from printrelease.paging import Page, paginate

MAX_WORDS = 5


@dataclass(frozen=True)
class UserRow:
    user: User
    last_login: datetime | None  # the last successful web login still on record (attempts are kept 90 days)


def _like(word: str) -> str:
    return "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def find_users(session: Session, search: str = "", role: str | None = None, active: bool | None = None,
               page: int = 1, per_page: int = 50) -> Page[UserRow]:
    """Users by login, each word of `search` found in their login, name, email or department (code or
    name), case aside; optionally of one role, or only the active or disabled ones."""
    query = select(User).outerjoin(Department, User.department_id == Department.id)
    for word in search.split()[:MAX_WORDS]:
        pattern = _like(word[:100])
        query = query.where(or_(*(column.ilike(pattern, escape="\\") for column in (
            User.login, User.display_name, User.email, Department.code, Department.name))))
    if role:
        query = query.where(User.role == check_role(role))
    if active is not None:
        query = query.where(User.is_active.is_(active))
    found = paginate(session, query.order_by(User.login), page, per_page, unique=True)
    logins = last_logins(session, [user.login for user in found.items])
    return replace(found, items=[UserRow(user, logins.get(user.login)) for user in found.items])


def last_logins(session: Session, logins: list[str]) -> dict[str, datetime]:
    """When each of these logins last logged in to the web successfully, if it is still on record."""
    if not logins:
        return {}
    rows = session.execute(select(LoginAttempt.login, func.max(LoginAttempt.at))
                           .where(LoginAttempt.login.in_(logins), LoginAttempt.succeeded.is_(True))
                           .group_by(LoginAttempt.login))
    return {login: at for login, at in rows}
