"""Measuring a held job: colour pages with Ghostscript and, when CUPS did not say, the paper size from
its first page; outside any transaction, the result in a short one."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import sessionmaker

from printrelease.analysis import UnreadableDocument, count_colour_pages
from printrelease.jobs.models import Job, JobState
from printrelease.jobs.papers import paper_size_of_pdf
from printrelease.jobs.service import record_colour_analysis
from printrelease.spool import Spool


def measure_colour(sessions: sessionmaker, spool: Spool, job_id: int, timeout: float = 120.0,
                   memory_bytes: int = 1024**3) -> bool:
    """Measure one job if it still needs it; True if it was measured now.

    Rendering takes a while, and holding a transaction open meanwhile would keep captures waiting on
    SQLite's write lock, so this takes a session factory and keeps each transaction short.
    """
    with sessions.begin() as session:
        job = session.get(Job, job_id)
        if job is None or not job.storage_key:
            return False
        # Monochrome (asked for, or all the printer can do) is charged as such anyway.
        needs_colour = job.color_pages is None and job.color_mode != "monochrome"
        needs_size = job.paper_size is None
        key = job.storage_key
    if not (needs_colour or needs_size):
        return False
    path = spool.path_for(key)
    size = paper_size_of_pdf(path) if needs_size else None
    if needs_colour:
        try:
            measured, problem = count_colour_pages(path, timeout, memory_bytes), ""
        except UnreadableDocument as error:
            measured, problem = None, str(error)
    with sessions.begin() as session:
        if needs_colour:
            record_colour_analysis(session, job_id, measured, problem)
        job = session.get(Job, job_id)
        if needs_size and job is not None and job.paper_size is None and not job.state.is_final:
            job.paper_size = size or "unknown"  # looked at once; priced as A4 like any size without a price
    return True


def measure_pending_colour(sessions: sessionmaker, spool: Spool, limit: int = 10, timeout: float = 120.0,
                           memory_bytes: int = 1024**3, stop=None) -> int:
    """Measure up to `limit` jobs waiting for it, one after another; `stop` (an Event) ends it early."""
    with sessions.begin() as session:
        pending = list(session.scalars(
            select(Job.id)
            .where(Job.state == JobState.HELD, Job.storage_key.is_not(None),
                   or_(Job.paper_size.is_(None), Job.color_pages.is_(None) & (Job.color_mode != "monochrome")))
            .order_by(Job.id).limit(limit)))
    measured = 0
    for job_id in pending:
        if stop is not None and stop.is_set():
            break
        measured += measure_colour(sessions, spool, job_id, timeout, memory_bytes)
    return measured
