"""Capture into the spool, listing, deletion and expiry of held jobs; the caller commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import BinaryIO, Iterable, Sequence

from sqlalchemy import event, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, object_session

from printrelease.accounts.errors import UnknownUser
from printrelease.accounts.models import User
from printrelease.accounts.service import add_user, find_user
from printrelease.analysis import UnreadableDocument, count_pages, parse_options
from printrelease.db import utcnow
from printrelease.jobs.errors import JobNotHeld, UnknownJob
from printrelease.jobs.models import Job, JobEvent, JobState
from printrelease.spool import DocumentTooLarge, Spool

MAX_TITLE = 1024


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


@dataclass(frozen=True)
class CaptureRequest:
    """What the CUPS backend knows about a job, as it sent it."""

    user: str
    title: str
    content_type: str = "application/pdf"
    options: str = ""
    copies: str = "1"
    source_queue: str = ""
    source_job_id: int | None = None


@dataclass
class CapturePolicy:
    hold_time: timedelta = timedelta(hours=24)
    max_job_bytes: int = 1024**3
    auto_create_users: bool = True


@dataclass
class CaptureOutcome:
    job: Job
    duplicate: bool = False
    refusal: Exception | None = None


def clean_title(title: str) -> str:
    """Keep a title printable and bounded; it is only ever data, never a path."""
    title = "".join(ch if ch.isprintable() else " " for ch in title).strip()
    return title[:MAX_TITLE] or "untitled"


def capture_job(
    session: Session,
    spool: Spool,
    policy: CapturePolicy,
    request: CaptureRequest,
    body: Iterable[bytes] | BinaryIO,
) -> CaptureOutcome:
    """Store a document and hold it for its owner, or record why it was refused.

    The document is received, counted and put in place before the first database statement: on
    SQLite a transaction holds the write lock from its start, and other captures must not wait while
    this one streams and syncs its bytes. A job whose CUPS job-uuid is already known is not stored
    again: CUPS retries a backend, and the same job must be held once however often it arrives.
    """
    options = parse_options(request.options, request.copies)
    received = _receive(spool, policy, request.content_type, body)
    if options.job_uuid:
        # Only the id: nearly every capture is new, and a whole Job row comes with its owner and printer.
        existing = session.scalar(select(Job.id).where(Job.cups_job_uuid == options.job_uuid))
        if existing is not None:
            spool.delete(received.key)
            return CaptureOutcome(session.get(Job, existing), duplicate=True)

    now = utcnow()
    job = Job(
        owner=_owner(session, request.user, policy),
        title=clean_title(request.title),
        originating_host=options.originating_host[:255],
        cups_job_uuid=options.job_uuid,
        source_queue=request.source_queue[:128],
        source_cups_job_id=request.source_job_id,
        format=request.content_type[:100],
        copies=options.copies,
        sides=options.sides,
        color_mode=options.color_mode,
        number_up=options.number_up,
        submitted_at=now,
        size=received.size,
        sha256=received.sha256,
        pages=received.pages,
        storage_key=received.key,
    )
    if received.refusal is not None:
        job.state, job.state_reason = JobState.REJECTED, str(received.refusal)
        record_event(job, "rejected", str(received.refusal), actor="cups")
        outcome = _insert(session, spool, job)
        outcome.refusal = None if outcome.duplicate else received.refusal
        return outcome

    if job.color_mode == "monochrome":
        job.color_pages = 0  # asked for in grey: no need to look at the pages
    job.state, job.expires_at = JobState.HELD, now + policy.hold_time
    job.state_reason = f"held until its owner releases it, at the latest {job.expires_at:%Y-%m-%d %H:%M} UTC"
    record_event(job, "captured", f"{job.pages} page(s), {job.size} bytes from {job.originating_host or '?'}", "cups")
    return _insert(session, spool, job)


@dataclass
class _Received:
    size: int | None = None
    sha256: str | None = None
    pages: int | None = None
    key: str | None = None  # in the spool; None when refused
    refusal: Exception | None = None


def _receive(spool: Spool, policy: CapturePolicy, content_type: str, body) -> _Received:
    """Stream the document into the spool and count its pages, or say why it cannot be taken."""
    pending = None
    try:
        pending = spool.receive(body, policy.max_job_bytes)
        pages = count_pages(pending.path, content_type)
    except (UnreadableDocument, DocumentTooLarge) as refusal:
        if pending is not None:
            pending.discard()
        _drain(body)
        return _Received(pending.size if pending else None, pending.sha256 if pending else None, refusal=refusal)
    stored = pending.commit()
    return _Received(stored.size, stored.sha256, pages, stored.key)


def _insert(session: Session, spool: Spool, job: Job) -> CaptureOutcome:
    # The document is in place before its row is written. Should the transaction fail, the file is
    # an orphan that `sweep_orphans` removes.
    try:
        with session.begin_nested():
            session.add(job)
            session.flush()
    except IntegrityError:
        # Another capture of the same CUPS job won the race: keep its copy, drop ours.
        spool.delete(job.storage_key)
        existing = session.scalar(select(Job).where(Job.cups_job_uuid == job.cups_job_uuid))
        if existing is None:
            raise
        return CaptureOutcome(existing, duplicate=True)
    return CaptureOutcome(job)


def _owner(session: Session, login: str, policy: CapturePolicy) -> User:
    login = login.strip() or "anonymous"
    user = find_user(session, login)
    if user is None:
        if not policy.auto_create_users:
            raise UnknownUser(login)
        try:
            with session.begin_nested():
                user = add_user(session, login)
                session.flush()
        except IntegrityError:
            # A newcomer's first jobs arrive on several capture queues at once; one capture made them.
            user = find_user(session, login)
            if user is None:
                raise
    return user


def _drain(body) -> None:
    if hasattr(body, "read"):
        while body.read(1024 * 1024):
            pass
    else:
        for _ in body:
            pass


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
