"""Held jobs after capture: listing, deletion, expiry, the audit trail; the caller commits."""

from __future__ import annotations

from typing import Sequence

from sqlalchemy import event, select
from sqlalchemy.orm import Session, object_session

from printrelease.accounts.models import User
from printrelease.db import utcnow
from printrelease.jobs.errors import JobNotHeld, UnknownJob
from printrelease.jobs.models import Job, JobEvent, JobState
from printrelease.spool import Spool


def record_event(job: Job, kind: str, detail: str = "", actor: str = "") -> None:
    event = JobEvent(kind=kind, detail=detail[:4000], actor=actor)
    session = object_session(job)
    if session is None:
        job.events.append(event)  # a new job: its collection is empty, nothing to load
    else:
        # Linked from the event's side: appending to job.events would first load every earlier event.
        event.job = job
        session.add(event)


def delete_bytes_after_commit(session: Session, spool: Spool, key: str | None) -> None:
    """Remove document bytes only once the state change that retires them is durable.

    Deleting first and then failing to commit would leave a held job without its document; the other
    order at worst leaves an orphan file, which `sweep_orphans` removes.
    """
    if not key:
        return
    pending = session.info.setdefault("spool_deletions", [])
    if not pending:
        event.listen(session, "after_commit", _delete_pending, once=True)
        event.listen(session, "after_soft_rollback", _forget_pending, once=True)
    pending.append((spool, key))


def _delete_pending(session: Session) -> None:
    for spool, key in session.info.pop("spool_deletions", []):
        spool.delete(key)


def _forget_pending(session: Session, _previous) -> None:
    session.info.pop("spool_deletions", None)


def list_jobs(
    session: Session, owner: str | None = None, states: Sequence[JobState] | None = None, limit: int = 500
) -> list[Job]:
    query = select(Job).order_by(Job.submitted_at, Job.id).limit(limit)
    if owner is not None:
        query = query.join(Job.owner).where(User.login == owner)
    if states:
        query = query.where(Job.state.in_(list(states)))
    return list(session.scalars(query).unique())


def get_job(session: Session, job_id: int, owner: str | None = None) -> Job:
    job = session.get(Job, job_id)
    # Someone else's job is reported as missing, not as forbidden: its existence is not theirs to learn.
    if job is None or (owner is not None and job.owner.login != owner):
        raise UnknownJob(job_id)
    return job


def delete_job(session: Session, spool: Spool, job_id: int, actor: str, owner: str | None = None) -> Job:
    """Withdraw a held job; pass `owner` to allow only that user's jobs."""
    job = get_job(session, job_id, owner)
    if job.state != JobState.HELD:
        raise JobNotHeld(job.id, job.state.value)
    job.state, job.state_reason = JobState.DELETED, f"deleted by {actor}"
    record_event(job, "deleted", "", actor)
    delete_bytes_after_commit(session, spool, job.storage_key)
    return job


def expire_jobs(session: Session, spool: Spool, now=None) -> list[Job]:
    """Retire held jobs past their deadline: bytes go, the record and its reason stay, nothing is charged."""
    now = now or utcnow()
    expired = list(
        session.scalars(select(Job).where(Job.state == JobState.HELD, Job.expires_at <= now)).unique()
    )
    for job in expired:
        job.state = JobState.EXPIRED
        job.state_reason = f"not released before its deadline {job.expires_at:%Y-%m-%d %H:%M} UTC"
        record_event(job, "expired", job.state_reason, "system")
        delete_bytes_after_commit(session, spool, job.storage_key)
    return expired


def sweep_orphans(session: Session, spool: Spool) -> int:
    """Delete spool files that no held or in-flight job refers to (left by a crash between steps)."""
    live = set(
        session.scalars(
            select(Job.storage_key).where(
                Job.state.in_([JobState.HELD, JobState.RELEASING, JobState.SENT]), Job.storage_key.is_not(None)
            )
        )
    )
    removed = 0
    for key in spool.keys() - live:
        # Files younger than a minute may belong to a capture whose transaction is still open.
        path = spool.path_for(key)
        if path.exists() and utcnow().timestamp() - path.stat().st_mtime > 60:
            spool.delete(key)
            removed += 1
    return removed


def jobs_awaiting_colour_analysis(session: Session, limit: int = 10) -> list[tuple[int, str]]:
    """(job id, storage key) of held colour jobs whose colour pages are not measured yet."""
    rows = session.execute(
        select(Job.id, Job.storage_key)
        .where(Job.state == JobState.HELD, Job.color_pages.is_(None), Job.storage_key.is_not(None),
               Job.color_mode != "monochrome")
        .order_by(Job.id).limit(limit))
    return [(row.id, row.storage_key) for row in rows]


def record_colour_analysis(session: Session, job_id: int, colour_pages: int | None, problem: str = "") -> None:
    """Store a measurement; None (analysis failed) charges every page as colour rather than guess cheaper."""
    job = session.get(Job, job_id)
    if job is None or job.color_pages is not None or job.state.is_final:
        return
    if colour_pages is None:
        job.color_pages = job.pages
        record_event(job, "analysis", problem, "system")
    else:
        job.color_pages = min(colour_pages, job.pages)
        record_event(job, "analysis", f"{job.color_pages} of {job.pages} page(s) in colour", "system")
