"""One immutable usage row per printed job, with the names it had when it printed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, event
from sqlalchemy.orm import Mapped, mapped_column

from printrelease.db import Base, utcnow
from printrelease.errors import PrintReleaseError
from printrelease.i18n import N_


class UsageRecord(Base):
    __tablename__ = "usage_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id"), unique=True)
    printed_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    user_login: Mapped[str] = mapped_column(String(255), index=True)
    user_display_name: Mapped[str] = mapped_column(String(200))
    department_code: Mapped[str] = mapped_column(String(64), default="", index=True)
    department_name: Mapped[str] = mapped_column(String(200), default="")
    printer_name: Mapped[str] = mapped_column(String(128), index=True)
    title: Mapped[str] = mapped_column(String(1024))
    pages: Mapped[int]
    copies: Mapped[int]
    sides: Mapped[str] = mapped_column(String(32))
    color_mode: Mapped[str] = mapped_column(String(32))
    sheets: Mapped[int]
    impressions: Mapped[int]
    color_impressions: Mapped[int]
    mono_impressions: Mapped[int]


class UsageIsImmutable(PrintReleaseError):
    code = "usage_is_immutable"
    template = N_("usage record %(record)s cannot be changed")


@event.listens_for(UsageRecord, "before_update")
@event.listens_for(UsageRecord, "before_delete")
def _refuse_change(_mapper, _connection, target: UsageRecord) -> None:
    # Usage rows are what finance bills from: a correction is a new row, never an edit.
    raise UsageIsImmutable(record=target.id)
