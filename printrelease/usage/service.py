"""Usage records: a printed job's row with its cost frozen, a job's net figures, and corrections as new
rows; the caller commits."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, object_session

from printrelease.db import utcnow
from printrelease.paging import Page, between, paginate
from printrelease.prices.models import Price
from printrelease.jobs.models import Job
from printrelease.prices.service import Charge, amount, charge_for
from printrelease.usage.errors import (
    NegativeNet,
    NothingToCorrect,
    ReasonRequired,
    UnknownUsageRecord,
)
from printrelease.usage.models import UsageRecord


def usage_for(job: Job, printer_name: str, charge: Charge | None = None) -> UsageRecord:
    """The usage row of a job that has just printed on `printer_name`, its cost frozen: `charge` as
    given, else priced now at its printer. Colour is charged page by page."""
    now = utcnow()
    charge = charge or charge_for(object_session(job), job, at=now)
    department = job.owner.department
    return UsageRecord(
        job_id=job.id,
        printed_at=now,
        user_login=job.owner.login,
        user_display_name=job.owner.display_name,
        department_code=department.code if department else "",
        department_name=department.name if department else "",
        printer_name=printer_name,
        title=job.title,
        pages=job.pages,
        copies=job.copies,
        sides=job.sides,
        color_mode=job.color_mode,
        sheets=job.sheets,
        impressions=job.impressions,
        color_impressions=charge.colour_impressions,
        mono_impressions=charge.mono_impressions,
        paper_size=charge.paper_size,
        currency=charge.currency or None,
        cost=charge.amount,
        price_id=charge.price_id,
    )


MAX_COST = 10**15  # minor units; keeps every sum inside a 64-bit integer on SQLite


@dataclass(frozen=True)
class Figures:
    """The counted figures of a row or a job's net (its row plus its corrections)."""

    pages: int
    sheets: int
    color_impressions: int
    mono_impressions: int
    cost: int

    @property
    def impressions(self) -> int:
        return self.color_impressions + self.mono_impressions


FIELDS = tuple(Figures.__dataclass_fields__)


def get_record(session: Session, record_id: int, lock: bool = False) -> UsageRecord:
    record = session.get(UsageRecord, record_id, with_for_update=lock or None)
    if record is None:
        raise UnknownUsageRecord(record=record_id)
    return record


def net_figures(session: Session, original_id: int) -> Figures:
    """A printed row's figures with every correction of it applied."""
    row = session.execute(
        select(*(func.coalesce(func.sum(getattr(UsageRecord, name)), 0) for name in FIELDS))
        .where((UsageRecord.id == original_id) | (UsageRecord.original_id == original_id))).one()
    return Figures(*(int(value) for value in row))


def corrections_of(session: Session, original_id: int) -> list[UsageRecord]:
    return list(session.scalars(select(UsageRecord).where(UsageRecord.original_id == original_id)
                                .order_by(UsageRecord.id)))


def find_usage(session: Session, job_id: int | None = None, user: str | None = None, since: datetime | None = None,
               until: datetime | None = None, page: int = 1, per_page: int = 50) -> Page[UsageRecord]:
    """Usage rows newest first, a page at a time: a printed job's row and its corrections (by the job's
    id), a user's rows, those booked in [since, until); any of these together."""
    query = between(select(UsageRecord), UsageRecord.printed_at, since, until)
    if job_id is not None:
        printed = select(UsageRecord.id).where(UsageRecord.job_id == job_id).scalar_subquery()
        query = query.where((UsageRecord.job_id == job_id) | (UsageRecord.original_id == printed))
    if user:
        query = query.where(UsageRecord.user_login == user)
    return paginate(session, query.order_by(UsageRecord.printed_at.desc(), UsageRecord.id.desc()), page, per_page)


def correct_usage(
    session: Session,
    record_id: int,
    reason: str,
    actor: str,
    refund: bool = False,
    now: datetime | None = None,
    **wanted: int | None,
) -> UsageRecord:
    """Record a correction of a printed job: the net figures it should have, as a new row of changes.

    `record_id` may name the printed row or any correction of it (a correction of a correction): the
    figures are always those of the job as a whole. `refund` sets everything to zero; otherwise give
    the figures that change (pages, sheets, color_impressions, mono_impressions, cost in minor units).
    Changed impressions without a cost are priced at the price the job was charged at.
    """
    reason, actor = (reason or "").strip(), (actor or "").strip()
    if not reason or not actor:
        raise ReasonRequired()
    named = get_record(session, record_id)
    # Locked so that two people refunding the same job at once cannot both take its net to zero.
    original = get_record(session, named.original_id or named.id, lock=True)
    current = net_figures(session, original.id)
    if refund:
        target = Figures(0, 0, 0, 0, 0)
    else:
        changes = {k: v for k, v in wanted.items() if v is not None}
        target = replace(current, **changes)
        impressions_changed = {"color_impressions", "mono_impressions"} & set(changes)
        if impressions_changed and "cost" not in changes and original.price_id is not None:
            price = session.get(Price, original.price_id)
            target = replace(target, cost=amount(price, target.color_impressions, target.mono_impressions,
                                                 original.sides.startswith("two-sided")))
    for name, value in asdict(target).items():
        if value < 0 or (name == "cost" and value >= MAX_COST):
            raise NegativeNet(record=original.id, field=name, value=value)
    if target == current:
        raise NothingToCorrect(record=original.id)
    delta = {name: getattr(target, name) - getattr(current, name) for name in FIELDS}
    row = UsageRecord(
        job_id=None, printed_at=now or utcnow(), user_login=original.user_login,
        user_display_name=original.user_display_name, department_code=original.department_code,
        department_name=original.department_name, printer_name=original.printer_name, title=original.title,
        copies=original.copies, sides=original.sides, color_mode=original.color_mode,
        paper_size=original.paper_size, currency=original.currency, price_id=original.price_id,
        impressions=delta["color_impressions"] + delta["mono_impressions"], original_id=original.id,
        corrects_id=named.id, reason=reason[:2000], corrected_by=actor[:255], **delta)
    session.add(row)
    session.flush()
    return row


def list_usage(session: Session, start: datetime, end: datetime, user: str | None = None,
               limit: int = 500) -> list[UsageRecord]:
    """Rows booked in [start, end), oldest first."""
    query = select(UsageRecord).where(UsageRecord.printed_at >= start, UsageRecord.printed_at < end)
    if user:
        query = query.where(UsageRecord.user_login == user)
    return list(session.scalars(query.order_by(UsageRecord.printed_at, UsageRecord.id).limit(limit)))
