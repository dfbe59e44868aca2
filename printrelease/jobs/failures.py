"""Counting captures that failed on the server's side, per CUPS job, so that a job that keeps failing is
refused with its reason instead of being retried for ever; the caller commits."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from printrelease.db import utcnow
from printrelease.errors import Invalid
from printrelease.i18n import N_
from printrelease.jobs.capture import job_uuid_key
from printrelease.jobs.models import CaptureFailure

KEEP = timedelta(days=7)


class CaptureKeepsFailing(Invalid):
    code = "capture_keeps_failing"
    template = N_("this job could not be captured after %(attempts)s attempts: %(detail)s")

    def __init__(self, attempts: int, detail: str):
        super().__init__(attempts=attempts, detail=detail)


def record_capture_failure(session: Session, job_uuid: str, detail: str) -> int:
    """Count one more failed capture of the CUPS job `job_uuid`; returns how many there have been."""
    key, now = job_uuid_key(job_uuid), utcnow()
    # Old counts are of jobs CUPS has long given up; pruned here, off the path every capture takes.
    session.execute(delete(CaptureFailure).where(CaptureFailure.last_at < now - KEEP))
    for _ in range(2):
        failure = session.get(CaptureFailure, key, with_for_update=True)
        if failure is not None:
            failure.attempts += 1
            failure.last_error, failure.last_at = detail[:2000], now
            return failure.attempts
        try:
            with session.begin_nested():
                session.add(CaptureFailure(cups_job_uuid=key, attempts=1, last_error=detail[:2000], first_at=now,
                                           last_at=now))
            return 1
        except IntegrityError:
            continue  # another server's attempt at the same job counted first: count on top of it
    raise RuntimeError(f"could not count the failure of {job_uuid}")


def capture_failures(session: Session, job_uuid: str) -> int:
    return session.scalar(select(CaptureFailure.attempts).where(
        CaptureFailure.cups_job_uuid == job_uuid_key(job_uuid))) or 0
