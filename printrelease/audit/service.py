"""Recording administrative actions and reading the trail back; the caller commits (with the action
itself, so that an action and its record are durable together or not at all)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from printrelease.audit.models import AuditEntry
from printrelease.db import utcnow
from printrelease.paging import Page, between, paginate


def record_admin_action(session: Session, actor: str, action: str, target: str = "", detail: str = "",
                        address: str = "") -> AuditEntry:
    """Add one entry to the trail. `actor` is a login, or e.g. "cli:root"; `action` a code such as
    "users.set_role"; `detail` what changed, never a secret (no password, no token, no card number)."""
    entry = AuditEntry(at=utcnow(), actor=(actor or "?")[:255], action=action[:64], target=(target or "")[:255],
                       detail=(detail or "")[:4000], address=(address or "")[:64])
    session.add(entry)
    return entry


def audit_trail(session: Session, actor: str | None = None, action: str | None = None,
                since: datetime | None = None, until: datetime | None = None, page: int = 1,
                per_page: int = 50) -> Page[AuditEntry]:
    """Entries newest first, filtered by actor and action (exact, or a prefix ending in "." such as
    "users."), at or after `since` and before `until`."""
    query = between(select(AuditEntry), AuditEntry.at, since, until)
    if actor:
        query = query.where(AuditEntry.actor == actor)
    if action:
        query = query.where(AuditEntry.action.startswith(action, autoescape=True) if action.endswith(".")
                            else AuditEntry.action == action)
    return paginate(session, query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()), page, per_page)


def audit_actions(session: Session) -> list[str]:
    """The action codes in the trail, for a filter's list."""
    return list(session.scalars(select(AuditEntry.action).distinct().order_by(AuditEntry.action)))
