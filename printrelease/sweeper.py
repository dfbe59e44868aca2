"""The server's periodic housekeeping: expiry, following and recovering releases, queues, old records."""

from __future__ import annotations

import logging
import threading
import time

from sqlalchemy.exc import SQLAlchemyError

from printrelease.accounts.login import forget_old_attempts
from printrelease.cupsadmin import resume_capture_queues
from printrelease.db import exclusive
from printrelease.errors import PrintReleaseError
from printrelease.failures import one_line
from printrelease.jobs.service import expire_jobs, sweep_orphans
from printrelease.printers.health import poll_printers as poll_printers_once
from printrelease.reports.monthly import run_monthly_if_due
from printrelease.runtime import Runtime

log = logging.getLogger(__name__)


def sweep_once(runtime: Runtime, resume_queues: bool = True, poll_printers: bool = False) -> dict[str, int]:
    """One round of every housekeeping task; each task's failure is logged and does not stop the others.

    Several server processes may share one PostgreSQL database: each task runs in only one of them at a
    time (an advisory lock per task), and the guarded job transitions keep even overlapping runs from
    doing anything twice.
    """
    done: dict[str, int] = {}

    def task(name, work):
        try:
            with exclusive(runtime.engine, name) as mine:
                if mine:
                    done[name] = work()
        except SQLAlchemyError as error:
            log.warning("%s: %s", name, one_line(error, runtime.settings.effective_database_url))
        except (PrintReleaseError, OSError) as error:
            log.warning("%s: %s", name, error)
        except Exception:  # a sweep must never take the server down
            log.exception("%s failed", name)

    def expire():
        with runtime.sessions.begin() as session:
            return len(expire_jobs(session, runtime.spool))

    def orphans():
        # It only reads, and walks the spool meanwhile: a large spool takes longer than PostgreSQL lets a
        # writing session sit idle in a transaction (db.make_engine), and the folders need none at all.
        with runtime.reading_sessions() as session:
            removed = sweep_orphans(session, runtime.spool)
        return removed + runtime.spool.sweep_temporary() + runtime.spool.sweep_thumbnails()

    def login_attempts():
        with runtime.sessions.begin() as session:
            return forget_old_attempts(session)

    if resume_queues:
        task("resumed", lambda: len(resume_capture_queues(runtime.print_server())))
    if poll_printers:
        task("printers polled", lambda: poll_printers_once(runtime.sessions, runtime.print_server,
                                                           runtime.settings.device_timeout))
    task("followed", lambda: len(runtime.releaser.follow()))
    task("recovered", runtime.releaser.recover)
    task("expired", expire)
    task("orphans", orphans)
    task("forgotten login attempts", login_attempts)
    # Does nothing unless PRINTRELEASE_MONTHLY_REPORTS_DIR is set; on the 1st (or the first round after a
    # missed 1st) it writes, and mails, last month's reports once for the whole site.
    task("monthly reports", lambda: 1 if run_monthly_if_due(runtime.sessions, runtime.reading_sessions,
                                                            runtime.settings) else 0)
    return done


class Sweeper(threading.Thread):
    """Runs `sweep_once` every `interval` seconds until stopped; a short first pass resumes queues at once."""

    def __init__(self, runtime: Runtime, interval: float):
        super().__init__(name="printrelease-sweeper", daemon=True)
        self.runtime, self.interval = runtime, interval
        self._stop_event = threading.Event()

    def run(self) -> None:
        polled_at = None
        while True:
            now = time.monotonic()
            due = polled_at is None or now - polled_at >= self.runtime.settings.printer_poll_interval
            summary = sweep_once(self.runtime, poll_printers=due)
            if due:
                polled_at = now
                summary.pop("printers polled", None)  # every round would say so; not news
            if any(summary.values()):
                log.info("sweep: %s", ", ".join(f"{k} {v}" for k, v in summary.items() if v))
            if self._stop_event.wait(self.interval):
                return

    def stop(self) -> None:
        self._stop_event.set()
