"""Exactly-once release: each job is claimed, handed to CUPS on hold, recorded, then let print.

Unlike the other services this one commits, because exactly-once needs durable steps between the calls
to CUPS. It therefore takes a session factory, not a session. For each job, just before it is sent:

1. claim: HELD -> RELEASING with a fresh attempt and a lease held by this process;
2. submit the document to the destination queue with job-hold-until=indefinite, the lease renewed
   from another thread while the upload runs (and again while step 4 lifts the hold);
3. record the CUPS job id, if the lease is still ours (if not, cancel the copy: recovery took over);
4. lift the CUPS job's hold and mark the job SENT, if the lease is still ours;
5. `follow` (release/follow.py) later sees CUPS finish it: PRINTED with a usage row, or back to HELD.

A releaser that dies leaves a RELEASING job whose lease runs out; `recover` (release/recovery.py) then
settles it. Every step is a guarded transition (jobs/transitions.py), so a releaser that was only slow
finds at its next step that it lost, and stops. Nothing prints twice, nothing is lost.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Callable, Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from printrelease import metrics
from printrelease.background import Waiting, run_yielding
from printrelease.db import relaxed
from printrelease.accounts.service import get_user
from printrelease.i18n import N_
from printrelease.jobs import transitions
from printrelease.jobs.audit import record_event_for
from printrelease.jobs.errors import UnknownJob
from printrelease.jobs.models import Job, JobState
from printrelease.jobs.transitions import Lease
from printrelease.printers.errors import PrinterDisabled
from printrelease.printers.health import check_printer, record_health
from printrelease.printers.models import Printer
from printrelease.printers.service import get_printer
from printrelease.printing import PrintServer, PrintServerUnavailable, QueueInfo
from printrelease.release.cancel import DEAD, cancel_copy
from printrelease.release.errors import JobNotSent, NotSent, PrinterLost, PrinterUnavailable, UserDisabled
from printrelease.release.follow import follow
from printrelease.release.lease import LeaseKeeper, copy_uuid, this_process
from printrelease.release.options import adapt_options
from printrelease.release.recovery import recover
from printrelease.spool import Spool, SpoolDamaged

log = logging.getLogger(__name__)

ServerFor = Callable[[str], PrintServer]
BULK_BYTES = 8 << 20  # documents this large are sent in a thread of low priority, paced
PACE_SECONDS = 3.0  # the longest a paced upload waits in all for people at the same CUPS server


@dataclass
class ReleasedJob:
    job_id: int
    title: str
    pages: int
    sheets: int
    cups_job_id: int


@dataclass
class ReleaseResult:
    user: str
    display_name: str
    printer: str
    released: list[ReleasedJob] = field(default_factory=list)
    problems: list[NotSent] = field(default_factory=list)  # worded by each edge in its reader's language

    @property
    def pages(self) -> int:
        return sum(j.pages for j in self.released)


@dataclass(frozen=True)
class _Document:
    """What sending a claimed job needs, read in its claim's transaction."""

    title: str
    key: str
    sha256: str
    pages: int
    sheets: int
    size: int
    adapted: object  # release.options.Adapted


@dataclass
class ReleasePolicy:
    lease: timedelta = timedelta(seconds=30)
    start_timeout: timedelta = timedelta(minutes=3)  # see `follow`
    device_timeout: float = 2.0  # seconds to wait for a printer's own IPP answer before a release


class Releaser:
    """Release, follow and recover: the three ways a job leaves the spool for a printer."""

    def __init__(self, sessions: sessionmaker, spool: Spool, server_for: ServerFor,
                 policy: ReleasePolicy | None = None, holder: str | None = None):
        self.sessions, self.spool, self.server_for = sessions, spool, server_for
        self.policy = policy or ReleasePolicy()
        self.holder = holder or this_process()
        self.waiting = Waiting()  # releases someone waits for, by CUPS server; large uploads pause for them

    def release(self, login: str, printer_name: str, job_ids: Iterable[int] | None = None, actor: str | None = None,
                start_within: float | None = None) -> ReleaseResult:
        """Send the user's held jobs (all, or those named), oldest first, to the printer.

        With `start_within` (seconds; a tap at a printer), a release that cannot start in that time
        releases nothing and says so: the person at the printer must not wait, nor be surprised later.
        """
        started = time.monotonic()
        actor = actor or login
        with self.sessions.begin() as session:
            user = get_user(session, login)
            try:
                printer = get_printer(session, printer_name)
            except PrinterDisabled as error:
                raise PrinterUnavailable(printer_name, error.words("en"), reasons=("disabled",)) from error
            result = ReleaseResult(user.login, user.display_name, printer.name)
            if not user.is_active:
                result.problems.append(UserDisabled(login=login))
                return result
            printer_id, address, queue_name = printer.id, printer.cups_server, printer.cups_queue
            candidates = self._candidates(session, user.id, job_ids)
        if not candidates:
            return result
        server = self.server_for(address)
        # Someone waits for this: large uploads to the same CUPS server meanwhile pause (_send).
        with self.waiting.someone(server.address):
            return self._send_each(server, printer_id, printer_name, queue_name, candidates, result, started,
                                   start_within, actor, login)

    def _send_each(self, server: PrintServer, printer_id: int, printer_name: str, queue_name: str,
                   candidates: list[int], result: ReleaseResult, started: float, start_within: float | None,
                   actor: str, login: str) -> ReleaseResult:
        queue = self._usable_queue(server, printer_id, printer_name, queue_name)
        with LeaseKeeper(self.sessions, self.policy.lease) as keeper:
            for job_id in candidates:
                if start_within is not None and not result.released and time.monotonic() - started > start_within:
                    raise PrinterUnavailable(printer_name, N_("the release could not start in time"))
                claimed = self._claim(job_id, printer_id, printer_name, queue, actor)
                if claimed is None:
                    continue  # released at another printer, deleted or expired meanwhile
                lease, document = claimed
                keeper.keep(lease)
                try:
                    released = self._send(server, queue, lease, keeper, document, actor, login)
                except PrintServerUnavailable as error:
                    printing = self._abandon(server, queue.name, lease, login,
                                             f"printer {printer_name} is unavailable: {error}")
                    if printing is not None:  # its answer was lost, not the copy: the person sees it print
                        result.released.append(ReleasedJob(lease.job_id, document.title, document.pages,
                                                           document.sheets, printing))
                    if not result.released:
                        raise PrinterUnavailable(printer_name, str(error)) from error
                    result.problems.append(PrinterLost(printer=printer_name, why=error))
                    break
                except SpoolDamaged as error:
                    result.problems.append(JobNotSent(job=job_id, why=error))
                    continue
                finally:
                    keeper.drop()
                if released:
                    result.released.append(released)
        if result.released:
            metrics.release_sent(time.monotonic() - started, len(result.released))
        return result

    def _claim(self, job_id: int, printer_id: int, printer_name: str, queue: QueueInfo,
               actor: str) -> tuple[Lease, "_Document"] | None:
        with self.sessions.begin() as session:
            lease = transitions.claim(session, job_id, printer_id, printer_name, self.holder, self.policy.lease,
                                      actor)
            if lease is None:
                return None
            # Read as claimed, in the same transaction: options changed up to the claim count.
            job = session.get(Job, job_id)
            return lease, _Document(job.title, job.storage_key, job.sha256, job.pages, job.sheets, job.size,
                                    adapt_options(job, queue))

    def _candidates(self, session: Session, user_id: int, job_ids: Iterable[int] | None) -> list[int]:
        query = select(Job.id, Job.owner_id, Job.state).order_by(Job.submitted_at, Job.id)
        if job_ids is None:
            query = query.where(Job.owner_id == user_id, Job.state == JobState.HELD)
            return [row.id for row in session.execute(query)]
        wanted = list(dict.fromkeys(job_ids))
        rows = {row.id: row for row in session.execute(query.where(Job.id.in_(wanted)))}
        for job_id in wanted:
            if job_id not in rows or rows[job_id].owner_id != user_id:
                raise UnknownJob(job_id)
        return [row.id for row in rows.values() if row.state == JobState.HELD]

    def _usable_queue(self, server: PrintServer, printer_id: int, printer_name: str, queue_name: str) -> QueueInfo:
        """The queue, if the printer can print now: polled at once, the device too if it speaks IPP."""
        try:
            health = check_printer(server, queue_name, self.policy.device_timeout)
        except PrintServerUnavailable as error:
            raise PrinterUnavailable(printer_name, str(error)) from error
        if health.blocking:
            # What stopped this release is news for the administrator's list too.
            with self.sessions.begin() as session:
                record_health(session, session.get(Printer, printer_id), health)
            raise PrinterUnavailable(printer_name, health.describe("en"), reasons=health.blocking,
                                     message=health.message)
        return health.queue

    def _send(self, server: PrintServer, queue: QueueInfo, lease: Lease, keeper: LeaseKeeper, document: "_Document",
              actor: str, owner: str):
        title, adapted = document.title, document.adapted
        # A large document is checked and sent at the lowest CPU priority: taps at other printers
        # meanwhile must not wait for it (background.py). A small one is not worth a thread.
        options = {**adapted.options, "job-uuid": copy_uuid(lease.attempt)}
        try:
            if document.size >= BULK_BYTES:
                # Sent in steps, each after whoever else waits on the same CUPS server (background.py).
                with self.waiting.stepping_aside(server.address):
                    path = run_yielding(lambda: self.spool.open_verified(document.key, document.sha256))
                    pace = self.waiting.pacer(server.address, PACE_SECONDS)
                    # The keeper renews the lease while this upload runs, and while the hold is lifted below.
                    cups_job_id = run_yielding(lambda: server.submit_held(queue.name, path, title, owner, options,
                                                                          pace=pace))
            else:
                path = self.spool.open_verified(document.key, document.sha256)
                cups_job_id = server.submit_held(queue.name, path, title, owner, options)
        except SpoolDamaged as error:
            with self.sessions.begin() as session:
                transitions.fail(session, lease, str(error), actor)
            raise
        with self.sessions.begin() as session:
            recorded = not keeper.lost(lease) and transitions.record(
                session, lease, cups_job_id, adapted.sides, adapted.color_mode, self.policy.lease)
            if recorded:
                for note in adapted.notes:
                    record_event_for(session, lease.job_id, "adapted", note, actor)
        if not recorded:
            # Recovery took the job over while this upload ran: the copy is ours alone to remove.
            log.warning("job %s was taken over during its upload; cancelling CUPS job %s", lease.job_id,
                        cups_job_id)
            server.cancel(cups_job_id, owner)
            return None
        # Lifting the hold may take as long as an upload (a slow CUPS): were the lease to run out
        # meanwhile, recovery would see the copy held and cancel it while the hold is being lifted.
        server.release(cups_job_id, owner)
        # The claim and the copy's id are on disk (above): were this step lost in a power cut, recovery
        # would find the copy printing and mark it sent, so its commit need not wait for the disk.
        with relaxed(self.sessions) as session:
            if not transitions.send(session, lease, queue.name, cups_job_id, actor, user=owner, printer=queue.name):
                # Taken over after the hold was lifted: recovery sees the CUPS job printing and marks it sent.
                return None
        return ReleasedJob(lease.job_id, title, document.pages, document.sheets, cups_job_id)

    def _abandon(self, server: PrintServer, queue_name: str, lease: Lease, owner: str, reason: str) -> int | None:
        """Give up a job whose sending failed midway: cancel any copy CUPS has, then hold it again.

        Returns the CUPS job id if the copy turned out to be printing after all (the job is then sent).
        If CUPS cannot even be told to cancel, the job stays RELEASING and recovery finishes this once
        the lease has run out.
        """
        with self.sessions() as session:
            ours, cups_job_id = transitions.recorded_copy(session, lease)
        if not ours:
            # Recovery took the job over (and may have settled it, and another release made a new copy
            # since): whatever copy the job names now is not ours to cancel.
            return None
        ended = DEAD
        try:
            if cups_job_id is None:
                # An upload that failed midway may have left a copy CUPS took all the same: cancel it
                # now rather than leave it on hold there for ever (it is this attempt's, by its job-uuid).
                for remote in server.jobs(queue_name, owner):
                    if remote.uuid == copy_uuid(lease.attempt):
                        server.cancel(remote.id, owner)
            else:
                ended = cancel_copy(server, cups_job_id, owner)
        except PrintServerUnavailable:
            return None
        with self.sessions.begin() as session:
            if ended != DEAD:
                # The hold was lifted after all (CUPS did it, but its answer was lost): the copy printed
                # or prints, so the job is sent, and `follow` charges it or holds it again.
                if transitions.send(session, lease, queue_name, cups_job_id, "system", user=owner):
                    return cups_job_id
                return None
            transitions.unclaim(session, lease, reason, "system")
        return None

    # The other two ways, kept here so that every edge has one object to ask.

    def follow(self, job_ids: Iterable[int] | None = None) -> list[int]:
        """Settle the SENT jobs (all, or those named) that CUPS has finished; returns their ids."""
        return follow(self, job_ids)

    def recover(self) -> int:
        """Settle RELEASING jobs whose lease has run out; returns how many were looked at."""
        return recover(self)
