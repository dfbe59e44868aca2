"""Jobs CUPS forgot before their end was seen: a person decides whether they printed; the caller commits."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from printrelease.jobs import transitions
from printrelease.jobs.errors import JobNotLost
from printrelease.jobs.models import Job
from printrelease.jobs.service import get_job
from printrelease.spool import Spool
from printrelease.usage.service import usage_for


def resolve_lost_job(session: Session, spool: Spool, job_id: int, printed: bool, actor: str,
                     hold_until: datetime) -> Job:
    """Printed: charged now, with its usage row. Not printed: held again, until `hold_until` at least."""
    job = get_job(session, job_id)
    if not transitions.resolve(session, spool, job.id, printed, actor, hold_until):
        raise JobNotLost(job.id, session.scalar(select(Job.state).where(Job.id == job.id)).value)
    session.refresh(job)
    if printed:
        session.add(usage_for(job, job.printer.name if job.printer else ""))
    return job
