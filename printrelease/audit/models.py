"""One administrative action: who (a login, or "cli:root"), when, what, on what, from which address."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from printrelease.db import Base, utcnow


class AuditEntry(Base):
    __tablename__ = "audit"
    # The trail is read newest first, filtered by who or by what: each filter has its index.
    __table_args__ = (Index("ix_audit_actor_at", "actor", "at"), Index("ix_audit_action_at", "action", "at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(255))
    action: Mapped[str] = mapped_column(String(64))  # a code such as "users.set_role"
    target: Mapped[str] = mapped_column(String(255), default="")  # the object: a login, a printer's name, ...
    detail: Mapped[str] = mapped_column(Text, default="")
    address: Mapped[str] = mapped_column(String(64), default="")  # the client's address; "" from the CLI

    def __repr__(self) -> str:
        return f"<AuditEntry {self.at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.target}>"
