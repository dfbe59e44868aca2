"""The job state machine: every change of a job's state is one conditional UPDATE here, and a caller whose
UPDATE changed no row has lost a race and stops.

    transition  from              to          guarded by, besides the source state
    ----------  ----------------  ----------  ---------------------------------------------------------
    (capture)   -                 held        a new row (or `rejected`, with the reason)
    claim       held              releasing   its deadline has not passed; a new attempt and lease
    renew       releasing         releasing   attempt and lease holder: the lease runs on
    record      releasing         releasing   attempt and lease holder: CUPS job id noted, lease renewed
    take_over   releasing         releasing   attempt, and the lease has run out: recovery holds it now
    send        releasing         sent        attempt and lease holder
    unclaim     releasing         held        attempt and lease holder
    fail        releasing         failed      attempt and lease holder (its document is damaged)
    lose        releasing, sent   lost        attempt (and holder, from releasing): CUPS forgot the job
    print       sent              printed     attempt and CUPS job id; the usage row in the same transaction
    return      sent              held        attempt and CUPS job id (aborted, cancelled, stopped, not started)
    resolve     lost              printed     an administrator saw it printed; the usage row goes with it
    resolve     lost              held        an administrator saw it not printed
    delete      held              deleted     the owner, when a user asks
    expire      held              expired     its deadline has passed

Nothing else writes `Job.state`. A lease is (attempt, holder): the attempt names one claim of the job,
the holder the server process working on it; its expiry is stamped and compared by the database's clock
(`database_now`), which all servers share. Functions take a session, never commit, and return whether
they won; log lines and deletions of document bytes wait for the caller's commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Iterable
from uuid import uuid4

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from printrelease.db import database_now, utcnow
from printrelease.jobs.audit import delete_bytes_after_commit, log_after_commit, record_event_for
from printrelease.jobs.models import Job, JobState
from printrelease.spool import Spool

HELD, RELEASING, SENT, LOST = JobState.HELD, JobState.RELEASING, JobState.SENT, JobState.LOST
_JOBS = Job.__table__


@dataclass(frozen=True)
class Lease:
    """One claim of one job, and the server process that holds it."""

    job_id: int
    attempt: str
    holder: str


def _apply(session: Session, job_id: int, sources: Iterable[JobState], guards: tuple, values: dict,
           kind: str, actor: str, detail: str = "", **log_fields):
    """One conditional UPDATE; returns the job's (id, storage key) if it changed, None if it lost."""
    # On the table, not the entity: the ORM's bulk UPDATE costs several times the statement itself, and
    # nothing in a session holds these rows in a state worth synchronising. A table's statement does not
    # flush the session as an entity's does, so this does: a guard must see the caller's own changes.
    session.flush()
    row = session.execute(
        update(_JOBS)
        .where(_JOBS.c.id == job_id, _JOBS.c.state.in_(list(sources)), *guards)
        .values(updated_at=utcnow(), **values)
        .returning(_JOBS.c.id, _JOBS.c.storage_key)
    ).first()
    if row is None:
        return None
    record_event_for(session, job_id, kind, detail, actor)
    log_after_commit(session, kind, job=job_id, actor=actor, **log_fields,
                     **({"detail": detail} if detail else {}))
    return row


def _holds(lease: Lease) -> tuple:
    return _JOBS.c.release_attempt == lease.attempt, _JOBS.c.lease_holder == lease.holder


# -- release --------------------------------------------------------------------------------------------

def claim(session: Session, job_id: int, printer_id: int, printer: str, holder: str, lease_for: timedelta,
          actor: str) -> Lease | None:
    """HELD -> RELEASING for `holder`, unless someone else claimed, deleted or expired it first."""
    now, attempt = database_now(session), str(uuid4())
    won = _apply(session, job_id, [HELD], (or_(Job.expires_at.is_(None), Job.expires_at > now),),
                 dict(state=RELEASING, release_attempt=attempt, lease_holder=holder, lease_expires_at=now + lease_for,
                      printer_id=printer_id, dest_cups_job_id=None, state_reason=f"being sent to {printer}"),
                 "claimed", actor, f"for {printer}", printer=printer)
    return Lease(job_id, attempt, holder) if won else None


def renew(session: Session, lease: Lease, lease_for: timedelta) -> bool:
    """Extend the lease; False if it is no longer ours (recovery took the job over)."""
    result = session.execute(
        update(_JOBS).where(_JOBS.c.id == lease.job_id, _JOBS.c.state == RELEASING, *_holds(lease))
        .values(lease_expires_at=database_now(session) + lease_for))
    return result.rowcount == 1


def record(session: Session, lease: Lease, cups_job_id: int, sides: str, color_mode: str,
           lease_for: timedelta) -> bool:
    """Note the CUPS job a releaser made (on hold), and the options it was adapted to."""
    result = session.execute(
        update(_JOBS).where(_JOBS.c.id == lease.job_id, _JOBS.c.state == RELEASING, *_holds(lease))
        .values(dest_cups_job_id=cups_job_id, sides=sides, color_mode=color_mode,
                lease_expires_at=database_now(session) + lease_for, updated_at=utcnow()))
    return result.rowcount == 1


def recorded_copy(session: Session, lease: Lease) -> tuple[bool, int | None]:
    """Whether the lease is still ours, and if so the CUPS job recorded under it (None if none yet).

    A read, but guarded like a transition: once the lease is another's, so is the copy it names.
    """
    row = session.execute(select(Job.dest_cups_job_id)
                          .where(Job.id == lease.job_id, Job.state == RELEASING, *_holds(lease))).first()
    return (True, row.dest_cups_job_id) if row is not None else (False, None)


def take_over(session: Session, job_id: int, attempt: str, holder: str, lease_for: timedelta) -> Lease | None:
    """Recovery: hold a RELEASING job whose releaser stopped renewing its lease (it died, or hangs)."""
    now = database_now(session)
    result = session.execute(
        update(_JOBS).where(_JOBS.c.id == job_id, _JOBS.c.state == RELEASING, _JOBS.c.release_attempt == attempt,
                            or_(_JOBS.c.lease_expires_at.is_(None), _JOBS.c.lease_expires_at < now))
        .values(lease_holder=holder, lease_expires_at=now + lease_for, updated_at=now))
    return Lease(job_id, attempt, holder) if result.rowcount == 1 else None


def send(session: Session, lease: Lease, queue: str, cups_job_id: int, actor: str, **log_fields) -> bool:
    """RELEASING -> SENT: the CUPS job's hold is lifted; `follow` watches it from now on."""
    reason = f"accepted by {queue} as CUPS job {cups_job_id}"
    return _apply(session, lease.job_id, [RELEASING], _holds(lease),
                  dict(state=SENT, released_at=database_now(session), lease_holder=None, lease_expires_at=None,
                       state_reason=reason), "sent", actor, reason, cups_job=cups_job_id, **log_fields) is not None


def unclaim(session: Session, lease: Lease, reason: str, actor: str) -> bool:
    """RELEASING -> HELD: the release did not happen; any CUPS copy was cancelled first."""
    return _apply(session, lease.job_id, [RELEASING], _holds(lease), _back_to_held(reason), "returned", actor,
                  reason) is not None


def fail(session: Session, lease: Lease, reason: str, actor: str) -> bool:
    """RELEASING -> FAILED: the stored document is missing or damaged; it can never print."""
    return _apply(session, lease.job_id, [RELEASING], _holds(lease),
                  dict(state=JobState.FAILED, state_reason=reason, lease_holder=None, lease_expires_at=None),
                  "failed", actor, reason) is not None


def lose(session: Session, job_id: int, attempt: str, reason: str, actor: str, holder: str | None = None) -> bool:
    """SENT (or RELEASING, by its lease holder) -> LOST: CUPS has no record of the job, so nobody can tell
    whether it printed. It is neither charged nor released again until a person resolves it."""
    mine = or_(Job.state == SENT, Job.lease_holder == holder) if holder else Job.state == SENT
    guards = (Job.release_attempt == attempt, mine)
    return _apply(session, job_id, [SENT, RELEASING], guards,
                  dict(state=LOST, state_reason=reason, lease_holder=None, lease_expires_at=None),
                  "lost", actor, reason) is not None


# -- the end of a release -------------------------------------------------------------------------------

def mark_printed(session: Session, spool: Spool, job_id: int, attempt: str, cups_job_id: int, printer: str,
                 actor: str = "cups") -> bool:
    """SENT -> PRINTED; the caller adds the usage row in the same transaction. The bytes go after commit."""
    won = _apply(session, job_id, [SENT], (Job.release_attempt == attempt, Job.dest_cups_job_id == cups_job_id),
                 dict(state=JobState.PRINTED, state_reason=f"printed on {printer}"), "printed", actor,
                 printer=printer)
    if won:
        delete_bytes_after_commit(session, spool, won.storage_key)
    return won is not None


def return_sent(session: Session, job_id: int, attempt: str, cups_job_id: int, reason: str,
                actor: str = "cups") -> bool:
    """SENT -> HELD: CUPS ended the job unprinted (or it was cancelled there, first): uncharged, held again."""
    guards = (Job.release_attempt == attempt, Job.dest_cups_job_id == cups_job_id)
    return _apply(session, job_id, [SENT], guards, _back_to_held(reason), "returned", actor, reason) is not None


def resolve(session: Session, spool: Spool, job_id: int, printed: bool, actor: str, hold_until: datetime) -> bool:
    """LOST -> PRINTED or HELD, as a person found out. Held again, it gets at least `hold_until`."""
    if printed:
        won = _apply(session, job_id, [LOST], (), dict(state=JobState.PRINTED, state_reason="printed (resolved)"),
                     "resolved", actor, "printed")
        if won:
            delete_bytes_after_commit(session, spool, won.storage_key)
        return won is not None
    values = _back_to_held("not printed (resolved); held again")
    current = session.scalar(select(Job.expires_at).where(Job.id == job_id))
    values["expires_at"] = max(current, hold_until) if current else hold_until
    return _apply(session, job_id, [LOST], (), values, "resolved", actor, "held again") is not None


def _back_to_held(reason: str) -> dict:
    return dict(state=HELD, state_reason=reason, printer_id=None, dest_cups_job_id=None, release_attempt=None,
                lease_holder=None, lease_expires_at=None, released_at=None)


# -- before a release -----------------------------------------------------------------------------------

def delete(session: Session, spool: Spool, job_id: int, actor: str, owner_id: int | None = None) -> bool:
    """HELD -> DELETED (only the owner's, when `owner_id` is given); the bytes go after commit."""
    guards = (Job.owner_id == owner_id,) if owner_id is not None else ()
    won = _apply(session, job_id, [HELD], guards, dict(state=JobState.DELETED, state_reason=f"deleted by {actor}"),
                 "deleted", actor)
    if won:
        delete_bytes_after_commit(session, spool, won.storage_key)
    return won is not None


def expire(session: Session, spool: Spool, job_id: int, now: datetime | None = None) -> bool:
    """HELD -> EXPIRED once its deadline has passed: the record and its reason stay, nothing is charged."""
    now = now or utcnow()
    deadline = session.scalar(select(Job.expires_at).where(Job.id == job_id))
    reason = f"not released before its deadline {deadline:%Y-%m-%d %H:%M} UTC" if deadline else "expired"
    won = _apply(session, job_id, [HELD], (Job.expires_at <= now,), dict(state=JobState.EXPIRED, state_reason=reason),
                 "expired", "system", reason)
    if won:
        delete_bytes_after_commit(session, spool, won.storage_key)
    return won is not None
