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
    """Renews the lease of the job being sent, every third of the lease's length, from one thread of its
    own for the whole release (a thread per step cost a release of ten jobs several milliseconds).

    `keep(lease)` names the job being sent, `drop()` says none is; `lost(lease)` tells whether a renewal
    found that job taken over. A renewal that fails (the database is briefly away) is retried at the next
    beat: a lease of 30 s with beats every 10 s survives a short outage, and if it does not, recovery may
    take the job over, which the releaser notices at its next guarded step.
    """

    def __init__(self, sessions: sessionmaker, lease_for: timedelta):
        self.sessions, self.lease_for = sessions, lease_for
        # Held while a renewal runs: naming the next job waits for it, so a late answer about the last
        # job is never taken for the next one's.
        self._lock = threading.Lock()
        self._lease: Lease | None = None
        self._lost: set[str] = set()  # attempts whose renewal found the job taken over
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> "LeaseKeeper":
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def keep(self, lease: Lease) -> None:
        with self._lock:
            self._lease = lease
        # Started with the first job (a release with nothing to send starts none), and again should the
        # last one have died: each job of the release must have its lease kept.
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._run, name=f"lease-{lease.job_id}", daemon=True)
            self._thread.start()

    def drop(self) -> None:
        with self._lock:
            self._lease = None

    def lost(self, lease: Lease) -> bool:
        return lease.attempt in self._lost

    def _run(self) -> None:
        beat = max(self.lease_for.total_seconds() / 3, 0.05)
        while not self._stop.wait(beat):
            with self._lock:
                lease = self._lease
                if lease is None or lease.attempt in self._lost:
                    continue
                try:
                    with self.sessions.begin() as session:
                        if not transitions.renew(session, lease, self.lease_for):
                            self._lost.add(lease.attempt)
                except Exception as error:  # noqa: BLE001 - the upload goes on; the next beat tries again
                    log.warning("could not renew the lease on job %s: %s", lease.job_id, error)
                except BaseException:
                    # This thread ends here; nobody keeps this lease any more, so the job is as good as
                    # lost to its releaser (its copy is cancelled at the next step), and the next job's
                    # `keep` starts another thread.
                    self._lost.add(lease.attempt)
                    raise
