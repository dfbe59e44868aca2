"""A record of each scheduled report run, so that a month is reported once across restarts and servers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from printrelease.db import Base, utcnow


class ReportRun(Base):
    __tablename__ = "report_runs"
    __table_args__ = (UniqueConstraint("kind", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))  # "monthly"
    period: Mapped[str] = mapped_column(String(16))  # "2026-03"
    status: Mapped[str] = mapped_column(String(16))  # running, done, failed
    attempts: Mapped[int] = mapped_column(default=0)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    detail: Mapped[str] = mapped_column(Text, default="")
