"""One immutable usage row per printed job, with the names it had when it printed, and its corrections.

A refund or a correction never edits a row: it is a new row that refers to the printed one
(`original_id`, and `corrects_id` for the row it was made against, which may itself be a correction),
carries the changes (negative for a refund), the reason and who made it, and counts on the day it was
made. A job's net figures are the sums over its printed row and every correction of it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column

from printrelease.db import Base, utcnow
from printrelease.errors import PrintReleaseError
from printrelease.i18n import N_


class UsageRecord(Base):
    __tablename__ = "usage_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id"), unique=True)  # None on a correction
    printed_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)  # a correction: when it was made
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
    paper_size: Mapped[str | None] = mapped_column(String(16))
    currency: Mapped[str | None] = mapped_column(String(3))  # None: printed before prices existed
    cost: Mapped[int] = mapped_column(BigInteger, default=0)  # minor units of `currency`
    price_id: Mapped[int | None] = mapped_column(ForeignKey("prices.id"))
    original_id: Mapped[int | None] = mapped_column(ForeignKey("usage_records.id"), index=True)
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("usage_records.id"))
    reason: Mapped[str] = mapped_column(Text, default="")
    corrected_by: Mapped[str] = mapped_column(String(255), default="")

    @property
    def is_correction(self) -> bool:
        return self.original_id is not None


class UsageIsImmutable(PrintReleaseError):
    code = "usage_is_immutable"
    template = N_("usage record %(record)s cannot be changed")


@event.listens_for(UsageRecord, "before_update")
@event.listens_for(UsageRecord, "before_delete")
def _refuse_change(_mapper, _connection, target: UsageRecord) -> None:
    # Usage rows are what finance bills from: a correction is a new row, never an edit.
    raise UsageIsImmutable(record=target.id)
