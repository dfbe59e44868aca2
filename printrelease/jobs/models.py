"""A captured print job, its life as a state machine, and the audit trail of what happened to it."""

from __future__ import annotations

import enum
import math
from datetime import datetime

from sqlalchemy import BigInteger, Enum, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from printrelease.accounts.models import User
from printrelease.db import Base, utcnow
from printrelease.printers.models import Printer


class JobState(str, enum.Enum):
    HELD = "held"  # in the spool, waiting for its owner
    RELEASING = "releasing"  # claimed by one releaser, which is handing it to CUPS
    SENT = "sent"  # accepted by the destination CUPS queue, being followed to its end
    PRINTED = "printed"  # completed at the printer; a usage row exists
    REJECTED = "rejected"  # never held: the document could not be taken (corrupt, empty, too large)
    DELETED = "deleted"  # removed by its owner or an admin before release
    EXPIRED = "expired"  # held past its deadline
    FAILED = "failed"  # its stored bytes were lost or damaged; it cannot be printed
    LOST = "lost"  # sent, but CUPS forgot the job before we saw it end: printed or not, a person decides

    @property
    def is_final(self) -> bool:
        return self in FINAL_STATES


FINAL_STATES = {JobState.PRINTED, JobState.REJECTED, JobState.DELETED, JobState.EXPIRED, JobState.FAILED}
# LOST is not final (`jobs resolve` settles it) but nothing happens to it by itself.


def impressions(pages: int, number_up: int, copies: int) -> int:
    """Printed sides: pages laid out number-up, times copies."""
    return math.ceil(pages / max(number_up, 1)) * copies


class Job(Base):
    __tablename__ = "jobs"
    # owner + submitted: a user's history, newest first, a page at a time, however many jobs the site has.
    __table_args__ = (Index("ix_jobs_owner_state", "owner_id", "state"), Index("ix_jobs_state", "state"),
                      Index("ix_jobs_owner_submitted", "owner_id", "submitted_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    title: Mapped[str] = mapped_column(String(1024))
    originating_host: Mapped[str] = mapped_column(String(255), default="")
    cups_job_uuid: Mapped[str | None] = mapped_column(String(64), unique=True)
    source_queue: Mapped[str] = mapped_column(String(128), default="")
    source_cups_job_id: Mapped[int | None]
    format: Mapped[str] = mapped_column(String(100), default="application/pdf")
    size: Mapped[int] = mapped_column(BigInteger, default=0)
    sha256: Mapped[str] = mapped_column(String(64), default="")
    storage_key: Mapped[str | None] = mapped_column(String(64))
    pages: Mapped[int] = mapped_column(default=0)
    color_pages: Mapped[int | None]
    copies: Mapped[int] = mapped_column(default=1)
    sides: Mapped[str] = mapped_column(String(32), default="one-sided")
    color_mode: Mapped[str] = mapped_column(String(32), default="color")
    number_up: Mapped[int] = mapped_column(default=1)
    paper_size: Mapped[str | None] = mapped_column(String(16))  # "A4", "A3", "Letter", ...; None: not known yet
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None]
    released_at: Mapped[datetime | None]
    state: Mapped[JobState] = mapped_column(
        Enum(JobState, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e]),
        default=JobState.HELD,
    )
    state_reason: Mapped[str] = mapped_column(Text, default="")
    printer_id: Mapped[int | None] = mapped_column(ForeignKey("printers.id"))
    release_attempt: Mapped[str | None] = mapped_column(String(36))
    # Who is releasing it (host:pid:start of a server process) and until when that releaser's claim
    # holds; recovery touches only attempts whose lease has run out.
    lease_holder: Mapped[str | None] = mapped_column(String(200))
    lease_expires_at: Mapped[datetime | None]
    dest_cups_job_id: Mapped[int | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    owner: Mapped[User] = relationship(lazy="joined")
    printer: Mapped[Printer | None] = relationship(lazy="joined")
    events: Mapped[list["JobEvent"]] = relationship(
        back_populates="job", order_by="JobEvent.id", cascade="all, delete-orphan"
    )

    @property
    def impressions(self) -> int:
        return impressions(self.pages, self.number_up, self.copies)

    @property
    def sheets(self) -> int:
        per_copy = math.ceil(self.pages / max(self.number_up, 1))
        if self.sides.startswith("two-sided"):
            per_copy = math.ceil(per_copy / 2)
        return per_copy * self.copies

    def __repr__(self) -> str:
        return f"<Job {self.id} {self.state.value} {self.title!r}>"


class JobEvent(Base):
    __tablename__ = "job_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    kind: Mapped[str] = mapped_column(String(32), index=True)  # /metrics counts the releases ("sent")
    actor: Mapped[str] = mapped_column(String(255), default="")
    detail: Mapped[str] = mapped_column(Text, default="")

    job: Mapped[Job] = relationship(back_populates="events")


class CaptureFailure(Base):
    """A CUPS job whose capture failed on the server's side, counted so that CUPS does not retry it for ever."""

    __tablename__ = "capture_failures"

    cups_job_uuid: Mapped[str] = mapped_column(String(64), primary_key=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    first_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
