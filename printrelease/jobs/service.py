"""Held jobs after capture: listing, deletion, expiry, colour measurements; the caller commits.

State changes go through `printrelease.jobs.transitions`; this module finds the jobs and says why a
change was refused.
"""

from __future__ import annotations

from datetime import datetime
from typing import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from printrelease.accounts.models import User
from printrelease.db import utcnow
from printrelease.errors import PrintReleaseError
from printrelease.jobs import transitions
from printrelease.jobs.audit import record_event
from printrelease.jobs.errors import JobNotHeld, UnknownJob
from printrelease.jobs.models import Job, JobState
from printrelease.spool import Spool


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
    if not transitions.delete(session, spool, job.id, actor, job.owner_id if owner is not None else None):
        raise JobNotHeld(job.id, session.scalar(select(Job.state).where(Job.id == job.id)).value)
    session.refresh(job)
    return job


def delete_jobs(session: Session, spool: Spool, job_ids: Sequence[int], actor: str,
                owner: str | None = None) -> tuple[int, list[PrintReleaseError]]:
    """`delete_job` for each of several jobs: one that was released or expired meanwhile is not deleted,
    and says why, while the others still go. Returns how many went, and the refusals."""
    deleted, refusals = 0, []
    for job_id in job_ids:
        try:
            delete_job(session, spool, job_id, actor, owner)
            deleted += 1
        except PrintReleaseError as error:
            refusals.append(error)
    return deleted, refusals


def expire_jobs(session: Session, spool: Spool, now: datetime | None = None) -> list[Job]:
    """Retire held jobs past their deadline: bytes go, the record and its reason stay, nothing is charged."""
    now = now or utcnow()
    due = session.scalars(select(Job.id).where(Job.state == JobState.HELD, Job.expires_at <= now)).all()
    expired = [job_id for job_id in due if transitions.expire(session, spool, job_id, now)]
    return [session.get(Job, job_id) for job_id in expired]


def sweep_orphans(session: Session, spool: Spool) -> int:
    """Delete spool files that no held, in-flight or lost job refers to (left by a crash between steps)."""
    live = set(
        session.scalars(
            select(Job.storage_key).where(
                Job.state.in_([JobState.HELD, JobState.RELEASING, JobState.SENT, JobState.LOST]),
                Job.storage_key.is_not(None)
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
