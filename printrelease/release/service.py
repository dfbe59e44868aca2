"""Exactly-once release: claim in the database, hand to CUPS on hold, record, then let CUPS print.

Unlike the other services this one commits, because exactly-once needs durable steps between the
calls to CUPS. It therefore takes a session factory, not a session. The steps for each job:

1. claim: HELD -> RELEASING with a fresh attempt id, by a conditional UPDATE (one winner per job);
2. submit the document to the destination queue with job-hold-until=indefinite;
3. record the CUPS job id;
4. release the CUPS job's hold and mark the job SENT;
5. `follow` later sees CUPS finish it: PRINTED with a usage row, or back to HELD with the reason.

A crash between any two steps leaves a RELEASING job that `recover` settles: a copy still on hold in
CUPS is cancelled and the job held again (its owner has long left the printer: it must not print
unattended), a copy whose hold was already lifted is followed as SENT. Nothing prints twice, nothing
is lost.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Callable, Iterable
from uuid import uuid4

from sqlalchemy import select, update
from sqlalchemy.orm import Session, object_session, sessionmaker

from printrelease.accounts.service import get_user
from printrelease.db import utcnow
from printrelease.jobs.errors import UnknownJob
from printrelease.jobs.models import Job, JobState
from printrelease.jobs.colour import measure_colour
from printrelease.jobs.service import delete_bytes_after_commit, record_event
from printrelease.printers.service import get_printer
from printrelease.prices.service import Charge, charge_for
from printrelease.printing import (
    ABORTED,
    CANCELED,
    COMPLETED,
    HELD,
    PRINTER_STOPPED,
    STOPPED,
    PrintServer,
    PrintServerUnavailable,
    QueueInfo,
)
from printrelease.release.errors import PrinterUnavailable
from printrelease.release.options import adapt_options
from printrelease.spool import Spool, SpoolDamaged
from printrelease.usage.models import UsageRecord

log = logging.getLogger(__name__)

ServerFor = Callable[[str], PrintServer]


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
    problems: list[str] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return sum(j.pages for j in self.released)


class Releaser:
    def __init__(
        self,
        sessions: sessionmaker,
        spool: Spool,
        server_for: ServerFor,
        stale_after: timedelta = timedelta(minutes=2),
    ):
        self.sessions, self.spool, self.server_for, self.stale_after = sessions, spool, server_for, stale_after

    # -- release --------------------------------------------------------------------------------

    def release(
        self, login: str, printer_name: str, job_ids: Iterable[int] | None = None, actor: str | None = None
    ) -> ReleaseResult:
        """Send the user's held jobs (all, or those named), oldest first, to the printer."""
        actor = actor or login
        with self.sessions.begin() as session:
            user = get_user(session, login)
            printer = get_printer(session, printer_name)
            result = ReleaseResult(user.login, user.display_name, printer.name)
            if not user.is_active:
                result.problems.append(f"user {login} is disabled")
                return result
            server_address, queue_name = printer.cups_server, printer.cups_queue
            candidates = self._candidates(session, user.id, job_ids)
        if not candidates:
            return result

        server = self.server_for(server_address)
        queue = self._usable_queue(server, printer_name, queue_name)
        attempt = str(uuid4())
        claimed = self._claim(candidates, printer_name, attempt, actor)
        for index, job_id in enumerate(claimed):
            try:
                released = self._send(server, queue, job_id, attempt, actor)
            except PrintServerUnavailable as error:
                reason = f"printer {printer_name} is unavailable: {error}"
                self._abandon(server, job_id, attempt, reason)
                for rest in claimed[index + 1:]:
                    self._return_claim(rest, attempt, reason)
                raise PrinterUnavailable(printer_name, str(error)) from error
            except SpoolDamaged as error:
                result.problems.append(f"job {job_id}: {error}")
                continue
            if released:
                result.released.append(released)
        return result

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

    def _usable_queue(self, server: PrintServer, printer_name: str, queue_name: str) -> QueueInfo:
        try:
            queue = server.queue(queue_name)
        except PrintServerUnavailable as error:
            raise PrinterUnavailable(printer_name, str(error)) from error
        if queue.state == PRINTER_STOPPED:
            raise PrinterUnavailable(printer_name, f"stopped ({queue.state_message or 'no reason given'})")
        if not queue.accepting:
            raise PrinterUnavailable(printer_name, "not accepting jobs")
        return queue

    def _claim(self, job_ids: list[int], printer_name: str, attempt: str, actor: str) -> list[int]:
        claimed = []
        with self.sessions.begin() as session:
            printer_id = get_printer(session, printer_name).id
            for job_id in job_ids:
                won = session.execute(
                    update(Job)
                    .where(Job.id == job_id, Job.state == JobState.HELD)
                    .values(state=JobState.RELEASING, release_attempt=attempt, printer_id=printer_id,
                            state_reason=f"being sent to {printer_name}", updated_at=utcnow())
                    .execution_options(synchronize_session=False)
                ).rowcount
                if won == 1:
                    claimed.append(job_id)
                    record_event(session.get(Job, job_id), "claimed", f"for {printer_name}", actor)
        return claimed

    def _send(self, server: PrintServer, queue: QueueInfo, job_id: int, attempt: str, actor: str):
        with self.sessions.begin() as session:
            job = session.get(Job, job_id)
            title, owner, key, sha = job.title, job.owner.login, job.storage_key, job.sha256
            adapted = adapt_options(job, queue)
        try:
            path = self.spool.open_verified(key, sha)
        except SpoolDamaged as error:
            with self.sessions.begin() as session:
                job = session.get(Job, job_id)
                job.state, job.state_reason = JobState.FAILED, str(error)
                record_event(job, "failed", str(error), actor)
            raise
        cups_job_id = server.submit_held(queue.name, path, title, owner, adapted.options)
        with self.sessions.begin() as session:
            job = session.get(Job, job_id)
            job.dest_cups_job_id = cups_job_id
            job.sides, job.color_mode = adapted.sides, adapted.color_mode
            for note in adapted.notes:
                record_event(job, "adapted", note, actor)
        server.release(cups_job_id, owner)
        with self.sessions.begin() as session:
            job = session.get(Job, job_id)
            self._mark_sent(job, queue.name, actor)
            return ReleasedJob(job.id, job.title, job.pages, job.sheets, cups_job_id)

    @staticmethod
    def _mark_sent(job: Job, queue_name: str, actor: str) -> None:
        job.state, job.released_at = JobState.SENT, utcnow()
        job.state_reason = f"accepted by {queue_name} as CUPS job {job.dest_cups_job_id}"
        record_event(job, "sent", job.state_reason, actor)

    def _abandon(self, server: PrintServer, job_id: int, attempt: str, reason: str) -> None:
        """Give up a job whose sending failed midway: cancel any copy CUPS has, then hold it again.

        If CUPS cannot even be told to cancel, the job stays RELEASING and `recover` finishes this.
        """
        with self.sessions.begin() as session:
            job = session.get(Job, job_id)
            cups_job_id, owner = job.dest_cups_job_id, job.owner.login
        if cups_job_id is not None:
            try:
                server.cancel(cups_job_id, owner)
            except PrintServerUnavailable:
                return
        self._return_claim(job_id, attempt, reason)

    def _return_claim(self, job_id: int, attempt: str, reason: str) -> None:
        with self.sessions.begin() as session:
            job = session.get(Job, job_id)
            if job.state == JobState.RELEASING and job.release_attempt == attempt:
                _back_to_held(job, reason, "system")

    # -- follow ---------------------------------------------------------------------------------

    def follow(self, job_ids: Iterable[int] | None = None) -> list[Job]:
        """Look once at every SENT job in CUPS and settle those that have ended; returns the settled."""
        with self.sessions.begin() as session:
            query = select(Job).where(Job.state == JobState.SENT)
            if job_ids is not None:
                query = query.where(Job.id.in_(list(job_ids)))
            sent = [(j.id, j.printer.cups_server, j.printer.cups_queue, j.dest_cups_job_id, j.owner.login)
                    for j in session.scalars(query).unique()]
        settled, queue_states = [], {}
        for job_id, address, queue_name, cups_job_id, owner in sent:
            server = self.server_for(address)
            try:
                remote = server.job(cups_job_id)
                if (address, queue_name) not in queue_states:
                    queue_states[address, queue_name] = server.queue(queue_name)
            except PrintServerUnavailable as error:
                log.warning("cannot follow job %s: %s", job_id, error)
                continue
            queue = queue_states[address, queue_name]
            outcome = self._outcome(server, remote, queue, owner)
            if outcome is None:
                continue
            if outcome == "printed":
                # Charged page by page even when released before the sweep measured it.
                measure_colour(self.sessions, self.spool, job_id)
            with self.sessions.begin() as session:
                job = session.get(Job, job_id)
                if job.state != JobState.SENT or job.dest_cups_job_id != cups_job_id:
                    continue
                if outcome == "printed":
                    self._mark_printed(session, job)
                else:
                    _back_to_held(job, outcome, "cups")
                settled.append(job)
        return settled

    @staticmethod
    def _outcome(server: PrintServer, remote, queue: QueueInfo, owner: str) -> str | None:
        where = f"printer {queue.name}"
        if remote is None:
            return f"{where} lost track of the job; it was not printed"
        if remote.state == COMPLETED:
            return "printed"
        if remote.state in (CANCELED, ABORTED):
            verb = "cancelled" if remote.state == CANCELED else "aborted"
            return f"{where} {verb} the job: {remote.message or ', '.join(remote.reasons) or 'no reason given'}"
        if remote.state == STOPPED or queue.state == PRINTER_STOPPED:
            # The job must be dead in CUPS before it may be held again, or it could print twice.
            server.cancel(remote.id, owner)
            return f"{where} stopped: {queue.state_message or remote.message or 'no reason given'}"
        return None

    def _mark_printed(self, session: Session, job: Job) -> None:
        job.state = JobState.PRINTED
        job.state_reason = f"printed on {job.printer.name}"
        record_event(job, "printed", f"{job.impressions} impression(s), {job.sheets} sheet(s)", "cups")
        session.add(usage_for(job))
        delete_bytes_after_commit(session, self.spool, job.storage_key)

    # -- recover --------------------------------------------------------------------------------

    def recover(self, stale_after: timedelta | None = None) -> int:
        """Settle RELEASING jobs whose releaser died: each ends SENT or HELD, never both, never neither."""
        stale_after = self.stale_after if stale_after is None else stale_after
        cutoff = utcnow() - stale_after
        with self.sessions.begin() as session:
            stuck = [(j.id, j.release_attempt, j.printer.cups_server, j.printer.cups_queue, j.dest_cups_job_id,
                      j.owner.login, j.title)
                     for j in session.scalars(
                         select(Job).where(Job.state == JobState.RELEASING, Job.updated_at <= cutoff)).unique()]
        for job_id, attempt, address, queue_name, cups_job_id, owner, title in stuck:
            server = self.server_for(address)
            try:
                if cups_job_id is None:
                    # Submitted-but-unrecorded copies are still on hold in CUPS: cancel them, hold again.
                    for remote in server.jobs(queue_name, owner):
                        if remote.state == HELD and remote.name == title:
                            server.cancel(remote.id, owner)
                    self._return_claim(job_id, attempt, "release was interrupted before printing; held again")
                    continue
                remote = server.job(cups_job_id)
                if remote is None or remote.state == HELD:
                    if remote is not None:
                        server.cancel(cups_job_id, owner)
                    self._return_claim(job_id, attempt, "release was interrupted before printing; held again")
                    continue
            except PrintServerUnavailable as error:
                log.warning("cannot recover job %s yet: %s", job_id, error)
                continue
            with self.sessions.begin() as session:
                job = session.get(Job, job_id)
                if job.state == JobState.RELEASING and job.release_attempt == attempt:
                    self._mark_sent(job, queue_name, "recovery")
        return len(stuck)


def _back_to_held(job: Job, reason: str, actor: str) -> None:
    job.state, job.state_reason = JobState.HELD, reason
    job.printer_id = job.dest_cups_job_id = job.release_attempt = None
    job.released_at = None
    record_event(job, "returned", reason, actor)


def usage_for(job: Job, charge: Charge | None = None) -> UsageRecord:
    """The job's usage row, its cost frozen: `charge` as given, else priced now at its printer."""
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
        printer_name=job.printer.name,
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
