"""A small in-memory PrintServer for unit tests of the release logic (real CUPS is in tests/integration)."""

from __future__ import annotations

import itertools
import threading
from dataclasses import replace
from pathlib import Path

from printrelease.printing import (
    CANCELED,
    COMPLETED,
    HELD,
    PENDING,
    PRINTER_IDLE,
    DeviceStatus,
    PrintServerUnavailable,
    QueueInfo,
    RemoteJob,
    job_name,
)


class FakePrintServer:
    address = "fake:631"
    PACE_STEP = 16 * 1024  # bytes sent between two calls of a paced upload's pace()

    def __init__(self, queues: list[QueueInfo] | None = None):
        self.queue_infos = {q.name: q for q in (queues or [QueueInfo("dept-a")])}
        self.remote: dict[int, RemoteJob] = {}
        self.documents: dict[int, bytes] = {}
        self.options: dict[int, dict[str, str]] = {}
        self.down = False
        self.devices: dict[str, DeviceStatus] = {}  # by device URI; others have no IPP of their own
        self.on_submit = None  # called with the job id once the copy exists, before submit_held returns
        self._ids = itertools.count(100)
        self._lock = threading.Lock()

    def _check(self):
        if self.down:
            raise PrintServerUnavailable("CUPS at fake:631: connection refused")

    def queues(self):
        self._check()
        return list(self.queue_infos.values())

    def queue(self, name):
        self._check()
        return self.queue_infos[name]

    def submit_held(self, queue, path: Path, title, owner, options, pace=None):
        self._check()
        if pace is not None:  # sent in steps, as the real one sends a large document
            for _ in range(0, max(1, Path(path).stat().st_size), self.PACE_STEP):
                pace()
        with self._lock:
            job_id = next(self._ids)
        self.remote[job_id] = RemoteJob(job_id, HELD, name=job_name(title), owner=owner, queue=queue,
                                        uuid=options.get("job-uuid", ""))
        self.documents[job_id] = Path(path).read_bytes()
        self.options[job_id] = dict(options)
        if self.on_submit is not None:
            self.on_submit(job_id)  # e.g. an upload that takes long
        return job_id

    def release(self, job_id, owner):
        self._check()
        if self.remote[job_id].state != HELD:  # as CUPS answers Release-Job on a cancelled job
            raise PrintServerUnavailable(address=self.address, detail="client-error-not-possible")
        self.remote[job_id] = replace(self.remote[job_id], state=PENDING)

    def job(self, job_id):
        self._check()
        return self.remote.get(job_id)

    def jobs(self, queue, owner=None):
        self._check()
        return [j for j in self.remote.values()
                if j.queue == queue and j.state < CANCELED and (owner is None or j.owner == owner)]

    def cancel(self, job_id, owner):
        self._check()
        if self.remote[job_id].state < CANCELED:
            self.remote[job_id] = replace(self.remote[job_id], state=CANCELED)

    def enable(self, queue):
        self.queue_infos[queue] = replace(self.queue_infos[queue], state=PRINTER_IDLE)

    def device_status(self, device_uri, timeout):
        if device_uri not in self.devices:
            return None
        if self.devices[device_uri] is None:
            raise PrintServerUnavailable(address=device_uri, detail="not reachable")
        return self.devices[device_uri]

    # what a printer does on its own
    def finish(self, job_id, state=COMPLETED, message=""):
        self.remote[job_id] = replace(self.remote[job_id], state=state, message=message)

    def printed(self) -> list[RemoteJob]:
        """Copies that print or printed: neither held nor cancelled."""
        return [j for j in self.remote.values() if j.state != HELD and j.state != CANCELED]
