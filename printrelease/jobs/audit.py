"""A job's audit trail, and what may happen only once a change is durable: deleting bytes, logging it."""

from __future__ import annotations

from sqlalchemy import event, insert
from sqlalchemy.orm import Session, object_session

from printrelease.db import utcnow
from printrelease.events import event as log_event
from printrelease.jobs.models import Job, JobEvent
from printrelease.spool import Spool

_INSERT_EVENT = insert(JobEvent.__table__)


def record_event(job: Job, kind: str, detail: str = "", actor: str = "") -> None:
    """Add an entry to the job's audit trail (a new job's, or one loaded in a session)."""
    entry = JobEvent(kind=kind, detail=detail[:4000], actor=actor)
    session = object_session(job)
    if session is None:
        job.events.append(entry)  # a new job: its collection is empty, nothing to load
    else:
        # Linked from the event's side: appending to job.events would first load every earlier event.
        entry.job = job
        session.add(entry)


def record_event_for(session: Session, job_id: int, kind: str, detail: str = "", actor: str = "") -> None:
    """The same for a job known only by its id (after a conditional UPDATE): one INSERT, no ORM flush,
    because every step of every release writes one. One statement built once, the values as parameters:
    building it afresh cost more than running it."""
    session.execute(_INSERT_EVENT, {"job_id": job_id, "kind": kind, "detail": detail[:4000], "actor": actor,
                                    "at": utcnow()})


def delete_bytes_after_commit(session: Session, spool: Spool, key: str | None) -> None:
    """Remove document bytes only once the state change that retires them is durable.

    Deleting first and then failing to commit would leave a held job without its document; the other
    order at worst leaves an orphan file, which `sweep_orphans` removes.
    """
    if key:
        _after_commit(session, lambda: spool.delete(key))


def log_after_commit(session: Session, kind: str, **fields) -> None:
    """Log the event once it has happened for good: a rolled-back change never shows in the log."""
    _after_commit(session, lambda: log_event(kind, **fields))


def _after_commit(session: Session, action) -> None:
    if "after_commit" not in session.info:
        session.info["after_commit"] = []
        if not session.info.get("after_commit_hooked"):
            # Listeners stay for the session's life: a session may commit or roll back more than once.
            event.listen(session, "after_commit", _run_pending)
            event.listen(session, "after_soft_rollback", _forget_pending)
            session.info["after_commit_hooked"] = True
    session.info["after_commit"].append(action)


def _run_pending(session: Session) -> None:
    for action in session.info.pop("after_commit", None) or []:
        action()


def _forget_pending(session: Session, previous) -> None:
    # A savepoint rolled back (a capture racing another for the same user) does not undo the rest.
    if not previous.nested:
        session.info.pop("after_commit", None)
