"""Measuring a held job's colour pages: Ghostscript outside any transaction, the result in a short one."""

from __future__ import annotations

from sqlalchemy.orm import sessionmaker

from printrelease.analysis import UnreadableDocument, count_colour_pages
from printrelease.jobs.models import Job
from printrelease.jobs.service import jobs_awaiting_colour_analysis, record_colour_analysis
from printrelease.spool import Spool


def measure_colour(sessions: sessionmaker, spool: Spool, job_id: int, timeout: float = 120.0,
                   memory_bytes: int = 1024**3) -> bool:
    """Measure one job if it still needs it; True if it was measured now.

    Rendering takes a while, and holding a transaction open meanwhile would keep captures waiting on
    SQLite's write lock, so this takes a session factory and keeps each transaction short.
    """
    with sessions.begin() as session:
        job = session.get(Job, job_id)
        if job is None or job.color_pages is not None or not job.storage_key or job.color_mode == "monochrome":
            return False  # monochrome (asked for, or all the printer can do) is charged as such anyway
        key = job.storage_key
    try:
        measured, problem = count_colour_pages(spool.path_for(key), timeout, memory_bytes), ""
    except UnreadableDocument as error:
        measured, problem = None, str(error)
    with sessions.begin() as session:
        record_colour_analysis(session, job_id, measured, problem)
    return True


def measure_pending_colour(sessions: sessionmaker, spool: Spool, limit: int = 10, timeout: float = 120.0,
                           memory_bytes: int = 1024**3, stop=None) -> int:
    """Measure up to `limit` jobs waiting for it, one after another; `stop` (an Event) ends it early."""
    with sessions.begin() as session:
        pending = [job_id for job_id, _key in jobs_awaiting_colour_analysis(session, limit)]
    measured = 0
    for job_id in pending:
        if stop is not None and stop.is_set():
            break
        measured += measure_colour(sessions, spool, job_id, timeout, memory_bytes)
    return measured
