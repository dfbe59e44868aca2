"""Who holds a release, and keeping its lease alive while a long step (an upload to CUPS) runs."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from datetime import timedelta

from sqlalchemy.orm import sessionmaker

from printrelease.jobs import transitions
from printrelease.jobs.transitions import Lease

log = logging.getLogger(__name__)

_STARTED = f"{time.time():.0f}"


def copy_uuid(attempt: str) -> str:
    """The job-uuid of the CUPS copy that one release attempt makes (an attempt is a UUID): CUPS keeps a
    client's job-uuid, so recovery can tell this attempt's copy from any other copy of the same owner
    and title (a second job of that name, another release in flight)."""
    return f"urn:uuid:{attempt}"


def this_process() -> str:
    """host:pid:start of this server process: unique across machines and across restarts."""
    return f"{socket.gethostname()}:{os.getpid()}:{_STARTED}"


class LeaseKeeper:
    """Renews a lease every third of its length from a thread of its own, for as long as the `with`
    block runs; `lost` tells afterwards whether a renewal found the job taken over.

    A renewal that fails (the database is briefly away) is retried at the next beat: a lease of 30 s
    with beats every 10 s survives a short outage, and if it does not, recovery may take the job over,
    which the releaser notices at its next guarded step.
    """

    def __init__(self, sessions: sessionmaker, lease: Lease, lease_for: timedelta):
        self.sessions, self.lease, self.lease_for = sessions, lease, lease_for
        self.lost = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"lease-{lease.job_id}", daemon=True)

    def __enter__(self) -> "LeaseKeeper":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        beat = max(self.lease_for.total_seconds() / 3, 0.05)
        while not self._stop.wait(beat):
            try:
                with self.sessions.begin() as session:
                    if not transitions.renew(session, self.lease, self.lease_for):
                        self.lost = True
                        return
            except Exception as error:  # noqa: BLE001 - the upload goes on; the next beat tries again
                log.warning("could not renew the lease on job %s: %s", self.lease.job_id, error)
