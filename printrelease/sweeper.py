"""The server's periodic housekeeping: expiry, following and recovering releases, queues, old records."""

from __future__ import annotations

import logging
import threading

from printrelease.accounts.login import forget_old_attempts
from printrelease.cupsadmin import resume_capture_queues
from printrelease.errors import PrintReleaseError
from printrelease.jobs.service import expire_jobs, sweep_orphans
from printrelease.runtime import Runtime

log = logging.getLogger(__name__)


def sweep_once(runtime: Runtime, resume_queues: bool = True) -> dict[str, int]:
    """One round of every housekeeping task; each task's failure is logged and does not stop the others."""
    done: dict[str, int] = {}

    def task(name, work):
        try:
            done[name] = work()
        except (PrintReleaseError, OSError) as error:
            log.warning("%s: %s", name, error)
        except Exception:  # a sweep must never take the server down
            log.exception("%s failed", name)

    def expire():
        with runtime.sessions.begin() as session:
            return len(expire_jobs(session, runtime.spool))

    def orphans():
        with runtime.sessions.begin() as session:
            return sweep_orphans(session, runtime.spool) + runtime.spool.sweep_temporary()

    def login_attempts():
        with runtime.sessions.begin() as session:
            return forget_old_attempts(session)

    if resume_queues:
        task("resumed", lambda: len(resume_capture_queues(runtime.print_server())))
    task("followed", lambda: len(runtime.releaser.follow()))
    task("recovered", runtime.releaser.recover)
    task("expired", expire)
    task("orphans", orphans)
    task("forgotten login attempts", login_attempts)
    return done


class Sweeper(threading.Thread):
    """Runs `sweep_once` every `interval` seconds until stopped; a short first pass resumes queues at once."""

    def __init__(self, runtime: Runtime, interval: float):
        super().__init__(name="printrelease-sweeper", daemon=True)
        self.runtime, self.interval = runtime, interval
        self._stop_event = threading.Event()

    def run(self) -> None:
        while True:
            summary = sweep_once(self.runtime)
            if any(summary.values()):
                log.info("sweep: %s", ", ".join(f"{k} {v}" for k, v in summary.items() if v))
            if self._stop_event.wait(self.interval):
                return

    def stop(self) -> None:
        self._stop_event.set()
