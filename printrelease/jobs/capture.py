"""Capture: a document from the CUPS backend into the spool, held for its owner; the caller commits."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import BinaryIO, Callable, Iterable

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from printrelease.accounts.errors import UnknownUser
from printrelease.accounts.models import User
from printrelease.accounts.service import add_user, check_login, find_user
from printrelease.analysis import UnreadableDocument, count_pages, parse_options
from printrelease.db import utcnow
from printrelease.jobs.models import Job, JobState
from printrelease.jobs.audit import record_event
from printrelease.jobs.papers import paper_size_from_options
from printrelease.spool import DocumentTooLarge, Spool

MAX_TITLE = 1024


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
    declared_size: int | None = None  # the request's Content-Length, if it gave one


@dataclass
class CapturePolicy:
    hold_time: timedelta = timedelta(hours=24)
    max_job_bytes: int = 1024**3
    auto_create_users: bool = True
    # Reads the page count or raises UnreadableDocument; the server's runs in a pool of limited processes.
    count_pages: Callable[[Path, str], int] = count_pages


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
    received = _receive(spool, policy, request, body)
    if options.job_uuid:
        # Only the id: nearly every capture is new, and a whole Job row comes with its owner and printer.
        existing = session.scalar(select(Job.id).where(Job.cups_job_uuid == job_uuid_key(options.job_uuid)))
        if existing is not None:
            spool.delete(received.key)
            return CaptureOutcome(session.get(Job, existing), duplicate=True)

    now = utcnow()
    job = Job(
        owner=_owner(session, request.user, policy),
        title=clean_title(request.title),
        originating_host=options.originating_host[:255],
        cups_job_uuid=job_uuid_key(options.job_uuid),
        source_queue=request.source_queue[:128],
        source_cups_job_id=request.source_job_id,
        format=request.content_type[:100],
        copies=options.copies,
        sides=options.sides,
        color_mode=options.color_mode,
        number_up=options.number_up,
        paper_size=paper_size_from_options(request.options),
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


def _receive(spool: Spool, policy: CapturePolicy, request: CaptureRequest, body) -> _Received:
    """Stream the document into the spool and count its pages, or say why it cannot be taken.

    The temporary file goes on every path but success, whatever fails. A body that says it is too
    large is refused before a byte of it is read; what is left unread is the server's to discard.
    """
    if request.declared_size is not None and request.declared_size > policy.max_job_bytes:
        return _Received(min(request.declared_size, 2**62), refusal=DocumentTooLarge(policy.max_job_bytes))
    pending = None
    try:
        pending = spool.receive(body, policy.max_job_bytes, request.declared_size)
        pages = policy.count_pages(pending.path, request.content_type)
    except (UnreadableDocument, DocumentTooLarge) as refusal:
        if pending is not None:
            pending.discard()
        return _Received(pending.size if pending else None, pending.sha256 if pending else None, refusal=refusal)
    except BaseException:
        if pending is not None:
            pending.discard()
        raise
    stored = pending.commit()
    return _Received(stored.size, stored.sha256, pages, stored.key)


def job_uuid_key(job_uuid: str | None) -> str | None:
    """The job-uuid as stored: CUPS's own fit (urn:uuid: and 36 characters); a longer one, from a client
    that made its own, is kept as its SHA-256 so that it still identifies the job."""
    if job_uuid is None or len(job_uuid) <= 64:
        return job_uuid
    return hashlib.sha256(job_uuid.encode("utf-8", "surrogateescape")).hexdigest()


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
    login = check_login(login.strip() or "anonymous")  # before any lookup: NUL breaks PostgreSQL's SQL
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
