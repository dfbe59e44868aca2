"""Recovery of releases whose releaser stopped renewing its lease: each job ends sent, held or lost.

Only a lease that has run out is taken over, so a live releaser (however slow its upload) is never
touched, whichever server process it runs in. Taking over is itself a guarded transition: of several
servers sweeping at once, one wins each job.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING
from uuid import uuid4

from sqlalchemy import or_, select

from printrelease.accounts.models import User
from printrelease.db import database_now
from printrelease.jobs import transitions
from printrelease.jobs.models import Job, JobState
from printrelease.jobs.transitions import Lease
from printrelease.printers.models import Printer
from printrelease.printing import ABORTED, CANCELED, HELD, PrintServer, PrintServerUnavailable
from printrelease.release.cancel import DEAD, cancel_copy
from printrelease.release.lease import copy_uuid

if TYPE_CHECKING:
    from printrelease.release.service import Releaser

log = logging.getLogger(__name__)

INTERRUPTED = "release was interrupted before printing; held again"


def recover(releaser: "Releaser") -> int:
    """Take over and settle every RELEASING job whose lease has run out; returns how many were taken."""
    with releaser.sessions() as session:
        now = database_now(session)  # the clock every server's leases are stamped by
        stale = session.execute(_stale(now)).all()
    taken = 0
    for row in stale:
        # A holder name of its own, even within the releaser's process: a thread of this process that
        # only stalled must find at its next step that the job is no longer its.
        holder = f"{releaser.holder}/recovery-{uuid4().hex[:8]}"
        with releaser.sessions.begin() as session:
            lease = transitions.take_over(session, row.id, row.release_attempt, holder, releaser.policy.lease)
        if lease is None:
            continue  # renewed meanwhile, or another server took it first
        taken += 1
        try:
            _settle(releaser, releaser.server_for(row.cups_server), lease, row)
        except PrintServerUnavailable as error:
            # Our lease runs out in turn, and a later round (ours or another server's) tries again.
            log.warning("cannot recover job %s yet: %s", row.id, error)
    return taken


def _stale(now):
    return (select(Job.id, Job.release_attempt, Job.dest_cups_job_id, Printer.cups_server, Printer.cups_queue,
                   User.login)
            .join(Printer, Job.printer_id == Printer.id).join(User, Job.owner_id == User.id)
            .where(Job.state == JobState.RELEASING,
                   or_(Job.lease_expires_at.is_(None), Job.lease_expires_at < now)))


def _settle(releaser: "Releaser", server: PrintServer, lease: Lease, row) -> None:
    if row.dest_cups_job_id is None:
        # A copy submitted but not recorded is still on hold in CUPS: cancel it, hold the job again. Only
        # this attempt's copy: the owner's others (the same title again, a live release) are not ours.
        for remote in server.jobs(row.cups_queue, row.login):
            if remote.state == HELD and remote.uuid == copy_uuid(row.release_attempt):
                server.cancel(remote.id, row.login)
        _finish(releaser, lambda s: transitions.unclaim(s, lease, INTERRUPTED, "recovery"))
        return
    remote = server.job(row.dest_cups_job_id)
    if remote is None:
        reason = (f"CUPS no longer knows job {row.dest_cups_job_id} on {row.cups_queue}, so whether it printed "
                  "cannot be told; check at the printer and resolve it")
        log.warning("job %s is lost: %s", row.id, reason)
        _finish(releaser, lambda s: transitions.lose(s, row.id, lease.attempt, reason, "recovery", lease.holder))
    elif remote.state == HELD:
        # Its owner left the printer long ago: it must not print unattended. A releaser that only stalled
        # may be lifting the hold right now, so the copy may have printed (or be printing) after all.
        if cancel_copy(server, row.dest_cups_job_id, row.login) == DEAD:
            _finish(releaser, lambda s: transitions.unclaim(s, lease, INTERRUPTED, "recovery"))
        else:
            _finish(releaser, lambda s: transitions.send(s, lease, row.cups_queue, row.dest_cups_job_id,
                                                         "recovery", user=row.login))
    elif remote.state in (CANCELED, ABORTED):
        _finish(releaser, lambda s: transitions.unclaim(s, lease, INTERRUPTED, "recovery"))
    else:
        # The hold was lifted before the releaser stopped: it prints (or printed); follow it.
        _finish(releaser, lambda s: transitions.send(s, lease, row.cups_queue, row.dest_cups_job_id, "recovery",
                                                     user=row.login))


def _finish(releaser: "Releaser", step) -> None:
    with releaser.sessions.begin() as session:
        step(session)
