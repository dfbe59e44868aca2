"""A person's held jobs and job history as the web UI and the kiosk show them; reads only.

Each list is a fixed number of queries whatever its length (no query per job): the held jobs with
their estimated costs, a page of history with its total and the net charge of each printed job.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Iterable

from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.orm import Session

from printrelease.accounts.models import User
from printrelease.db import utcnow
from printrelease.errors import Invalid
from printrelease.i18n import N_
from printrelease.jobs.models import Job, JobState
from printrelease.paging import Page, bounded, check_instants, count
from printrelease.prices.service import Charge, estimates
from printrelease.printers.models import Printer
from printrelease.usage.models import UsageRecord

# Everything but held: in flight (releasing, sent), lost, and every end a job can come to.
HISTORY_STATES = tuple(state for state in JobState if state is not JobState.HELD)
# The held jobs, built once: only the columns the list and the estimate read, no owner or printer joined.
_NOW = bindparam("now", type_=Job.expires_at.type)
_HELD = (select(Job.id, Job.title, Job.submitted_at, Job.expires_at, Job.pages, Job.number_up, Job.copies, Job.sides,
                Job.color_mode, Job.color_pages, Job.paper_size, Job.format, Job.size)
         .where(Job.owner_id == bindparam("owner"), Job.state == JobState.HELD,
                or_(Job.expires_at.is_(None), Job.expires_at > _NOW))
         .order_by(Job.submitted_at, Job.id))


@dataclass(frozen=True)
class HeldJob:
    id: int
    title: str
    submitted_at: datetime
    expires_at: datetime | None
    pages: int
    copies: int
    sides: str  # one-sided, two-sided-long-edge, two-sided-short-edge
    color_mode: str  # color or monochrome
    color_pages: int | None  # measured colour pages; None: not measured yet
    paper_size: str | None
    format: str
    size: int  # bytes
    estimate: Charge  # at site prices; estimate.price_id None: no price list, nothing charged

    def seconds_left(self, now: datetime | None = None) -> float | None:
        if self.expires_at is None:
            return None
        return max(0.0, (self.expires_at - (now or utcnow())).total_seconds())


@dataclass(frozen=True)
class PastJob:
    id: int
    title: str
    submitted_at: datetime
    ended_at: datetime  # the job's last change: printed, expired, deleted, ...
    state: str  # a JobState value
    state_reason: str
    pages: int
    copies: int
    sides: str
    color_mode: str
    printer: str | None  # where it was released, if it was
    cost: int | None  # net charge in minor units (after refunds); None: not charged (never printed)
    currency: str | None


def held_jobs(session: Session, user: User, printer: str | None = None) -> list[HeldJob]:
    """The user's held jobs that can still be released, oldest first, with their estimated cost (at
    `printer`'s prices if named)."""
    # Rows of columns need nothing of the ORM: on the session's connection they cost a third less.
    jobs = session.connection().execute(_HELD, {"owner": user.id, "now": utcnow()}).all()
    charges = estimates(session, jobs, printer)
    return [HeldJob(job.id, job.title, job.submitted_at, job.expires_at, job.pages, job.copies, job.sides,
                    job.color_mode, job.color_pages, job.paper_size, job.format, job.size, charges[job.id])
            for job in jobs]


def _states(states: Iterable[JobState | str] | None) -> list[JobState]:
    if not states:
        return list(HISTORY_STATES)
    try:
        wanted = [JobState(state) for state in states]
    except ValueError:
        raise Invalid(N_("unknown job state; choose among %(states)s"),
                      states=", ".join(s.value for s in HISTORY_STATES)) from None
    return [state for state in wanted if state is not JobState.HELD]


def job_history(session: Session, user: User, states: Iterable[JobState | str] | None = None,
                since: datetime | None = None, until: datetime | None = None, page: int = 1,
                per_page: int = 50) -> Page[PastJob]:
    """The user's jobs that are no longer held (all such states, or those named), newest first, submitted
    at or after `since` and before `until`; one page of them with the total."""
    check_instants(since, until)
    page, per_page = bounded(page, per_page)
    query = select(Job.id).where(Job.owner_id == user.id, Job.state.in_(_states(states)))
    if since is not None:
        query = query.where(Job.submitted_at >= since)
    if until is not None:
        query = query.where(Job.submitted_at < until)
    total = count(session, query)
    ids = query.order_by(Job.submitted_at.desc(), Job.id.desc()).offset((page - 1) * per_page).limit(per_page)
    rows = session.execute(
        select(Job.id, Job.title, Job.submitted_at, Job.updated_at, Job.state, Job.state_reason, Job.pages,
               Job.copies, Job.sides, Job.color_mode, Printer.name.label("printer"), UsageRecord.id.label("usage_id"),
               UsageRecord.cost, UsageRecord.currency)
        .outerjoin(Printer, Printer.id == Job.printer_id).outerjoin(UsageRecord, UsageRecord.job_id == Job.id)
        .where(Job.id.in_(ids.scalar_subquery())).order_by(Job.submitted_at.desc(), Job.id.desc())).all()
    corrections = dict(session.execute(
        select(UsageRecord.original_id, func.sum(UsageRecord.cost))
        .where(UsageRecord.original_id.in_([row.usage_id for row in rows if row.usage_id is not None]))
        .group_by(UsageRecord.original_id)).all())
    items = [PastJob(row.id, row.title, row.submitted_at, row.updated_at, row.state.value, row.state_reason,
                     row.pages, row.copies, row.sides, row.color_mode, row.printer,
                     None if row.usage_id is None else row.cost + int(corrections.get(row.usage_id) or 0),
                     row.currency) for row in rows]
    return Page(items, total, page, per_page)
