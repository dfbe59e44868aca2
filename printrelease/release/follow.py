"""Following sent jobs to their end in CUPS: printed and charged once, or held again, or lost for review."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable

from sqlalchemy import select

from printrelease.accounts.models import User
from printrelease.db import database_now
from printrelease.jobs import transitions
from printrelease.jobs.colour import measure_colour
from printrelease.jobs.audit import record_event_for
from printrelease.jobs.models import Job, JobEvent, JobState
from printrelease.printers.health import check_printer
from printrelease.printers.models import Printer
from printrelease.printing import (CANCELED, COMPLETED, HELD, PENDING, PRINTER_STOPPED, PROCESSING,
                                   STOPPED, PrintServer, PrintServerUnavailable, QueueInfo, RemoteJob)
from printrelease.release.cancel import DEAD, PRINTED, cancel_copy
from printrelease.usage.service import usage_for

if TYPE_CHECKING:
    from printrelease.release.service import Releaser

log = logging.getLogger(__name__)

CANCELLING = "cancelling"  # the audit entry of a cancel that CUPS had not finished when last looked at


@dataclass(frozen=True)
class Outcome:
    kind: str  # "printed", "returned" or "lost"
    reason: str = ""


def follow(releaser: "Releaser", job_ids: Iterable[int] | None = None) -> list[int]:
    """Look once at every SENT job in CUPS and settle those that have ended; returns the settled ids."""
    query = (select(Job.id, Job.release_attempt, Job.dest_cups_job_id, Job.released_at, Printer.name,
                    Printer.cups_server, Printer.cups_queue, User.login)
             .join(Printer, Job.printer_id == Printer.id).join(User, Job.owner_id == User.id)
             .where(Job.state == JobState.SENT))
    if job_ids is not None:
        query = query.where(Job.id.in_(list(job_ids)))
    with releaser.sessions() as session:
        sent = session.execute(query).all()
        now = database_now(session)  # released_at is stamped by the database's clock too
    settled, queues = [], {}
    for row in sent:
        server = releaser.server_for(row.cups_server)
        try:
            # The job first: an ended one settles even while its queue cannot be read.
            remote = server.job(row.dest_cups_job_id)
            if remote is None or remote.is_finished:
                outcome = _ended(releaser, row, remote)
            else:
                key = (row.cups_server, row.cups_queue)
                if key not in queues:
                    queues[key] = server.queue(row.cups_queue)
                outcome = _outcome(releaser, server, row, remote, queues[key], now)
        except PrintServerUnavailable as error:
            log.warning("cannot follow job %s yet: %s", row.id, error)
            continue
        if outcome is not None and _settle(releaser, row, outcome):
            settled.append(row.id)
    return settled


def _ended(releaser: "Releaser", row, remote: RemoteJob | None) -> Outcome:
    where = f"printer {row.name}"
    if remote is None:
        if _cancel_requested(releaser, row):
            # With PreserveJobHistory off CUPS forgets a job as soon as it ends: ours ended cancelled.
            return Outcome("returned", f"{where}: CUPS job {row.dest_cups_job_id} was cancelled by printrelease")
        return Outcome("lost", f"{where}: CUPS no longer knows job {row.dest_cups_job_id}, so whether it "
                               "printed cannot be told; check at the printer and resolve it")
    if remote.state == COMPLETED:
        return Outcome("printed")
    verb = "cancelled" if remote.state == CANCELED else "aborted"
    return Outcome("returned", f"{where} {verb} the job: "
                               f"{remote.message or ', '.join(remote.reasons) or 'no reason given'}")


def _cancel_requested(releaser: "Releaser", row) -> bool:
    """Whether `_cancel` asked CUPS to cancel this copy in an earlier round (and it was not dead yet)."""
    with releaser.sessions() as session:
        return session.scalar(select(JobEvent.id).where(
            JobEvent.job_id == row.id, JobEvent.kind == CANCELLING, JobEvent.detail == _copy(row)).limit(1)) is not None


def _copy(row) -> str:
    return f"CUPS job {row.dest_cups_job_id} of release {row.release_attempt}"


def _outcome(releaser: "Releaser", server: PrintServer, row, remote: RemoteJob,
             queue: QueueInfo, now) -> Outcome | None:
    where = f"printer {row.name}"
    if remote.state == STOPPED or queue.state == PRINTER_STOPPED:
        # The job must be dead in CUPS before it may be held again, or it could print twice.
        why = queue.state_message or remote.message or "no reason given"
        return _cancel(releaser, server, row, f"{where} stopped: {why}")
    waited = now - row.released_at if row.released_at else None
    if waited is not None and waited > releaser.policy.start_timeout:
        why = _not_started(releaser, server, remote, row.cups_queue)
        if why is not None:
            minutes = releaser.policy.start_timeout.total_seconds() / 60
            return _cancel(releaser, server, row, f"{where} did not start printing within {minutes:g} minutes"
                                                  f"{why}; held again rather than printed unattended later")
    return None


def _not_started(releaser: "Releaser", server: PrintServer, remote: RemoteJob, queue_name: str) -> str | None:
    """Why a job has not started printing (" (out of paper)", or ""), or None if it has started.

    A job still pending has not. A "processing" one may be stuck too: CUPS's ipp backend waits on a
    printer that is out of paper, and retries one that went away for hours (Debian's stock `ErrorPolicy
    retry-job`), while the queue itself looks fine; the printer is asked then. (CUPS's count of
    impressions does not tell: its filters count pages before any reach the printer.)
    """
    if remote.state in (PENDING, HELD):
        return ""
    if remote.state == PROCESSING:
        # Asked even where releases do not ask devices: a stuck job is rare, and worth the wait.
        health = check_printer(server, queue_name, max(releaser.policy.device_timeout, 2.0))
        if health.blocking:
            return f" ({health.describe('en')})"
    return None


def _cancel(releaser: "Releaser", server: PrintServer, row, reason: str) -> Outcome | None:
    """Cancel the CUPS job, then settle by what CUPS says now: it may have completed meanwhile."""
    ended = cancel_copy(server, row.dest_cups_job_id, row.login)
    if ended == PRINTED:
        return Outcome("printed")
    if ended == DEAD:
        return Outcome("returned", reason)
    # Not dead yet: look again at the next round, knowing that if CUPS has forgotten it by then, it
    # ended by this cancel.
    with releaser.sessions.begin() as session:
        record_event_for(session, row.id, CANCELLING, _copy(row), "system")
    return None


def _settle(releaser: "Releaser", row, outcome: Outcome) -> bool:
    if outcome.kind == "printed":
        # Charged page by page even when released before the sweep measured it.
        measure_colour(releaser.sessions, releaser.spool, row.id)
        with releaser.sessions.begin() as session:
            if not transitions.mark_printed(session, releaser.spool, row.id, row.release_attempt,
                                            row.dest_cups_job_id, row.name):
                return False
            session.add(usage_for(session.get(Job, row.id), row.name))
            return True
    with releaser.sessions.begin() as session:
        if outcome.kind == "lost":
            won = transitions.lose(session, row.id, row.release_attempt, outcome.reason, "cups")
        else:
            won = transitions.return_sent(session, row.id, row.release_attempt, row.dest_cups_job_id,
                                          outcome.reason)
    if won and outcome.kind == "lost":
        log.warning("job %s is lost: %s", row.id, outcome.reason)
    return bool(won)
