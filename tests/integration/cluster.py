"""Several `printrelease serve` processes on one PostgreSQL database and one spool folder, each of which a
test may kill with SIGKILL at any moment and start again."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

from sqlalchemy import func, select

from printrelease.jobs.models import Job, JobState
from printrelease.usage.models import UsageRecord
from sandbox.cupsd import free_port, wait_for_port
from tests.integration.conftest import Stack

LEASE_SECONDS = "2"  # short, so that recovery after a kill comes quickly


class ServerProcess:
    """One server process in a session of its own, so that a kill takes all of it (workers included)."""

    def __init__(self, name: str, root: Path, env: dict[str, str]):
        self.name, self.root, self.env = name, root, env
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        log = open(self.root / f"server-{self.name}.log", "ab")  # noqa: SIM115 (the process keeps it)
        self.process = subprocess.Popen([sys.executable, "-m", "printrelease", "serve", "--port", str(self.port)],
                                        env=self.env, stdout=log, stderr=log, start_new_session=True)
        wait_for_port(self.port, process=self.process)

    def kill(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def pause(self) -> None:
        os.killpg(self.process.pid, signal.SIGSTOP)

    def resume(self) -> None:
        os.killpg(self.process.pid, signal.SIGCONT)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()


class Cluster(Stack):
    """Servers "a" and "b" sharing the stack's database and data folder; captures go to "a"."""

    def __init__(self, cupsd, root: Path, database_url: str):
        super().__init__(cupsd, root, database_url)
        env = {**self.env(), "PRINTRELEASE_RELEASE_LEASE_SECONDS": LEASE_SECONDS,
               "PRINTRELEASE_SWEEP_INTERVAL": "0.5"}
        self.servers = {name: ServerProcess(name, root, env) for name in ("a", "b")}

    @property
    def url(self) -> str:
        return self.servers["a"].url

    def start_server(self, **extra_env: str) -> None:
        for server in self.servers.values():
            server.start()

    def stop_server(self) -> None:
        for server in self.servers.values():
            server.stop()

    def settled(self) -> bool:
        """No job is between its claim and its end in CUPS."""
        with self.runtime.sessions() as session:
            return not session.scalar(select(func.count()).select_from(Job).where(
                Job.state.in_([JobState.RELEASING, JobState.SENT])))

    def check_exactly_once(self, printers=("dept-a", "dept-b")) -> Counter:
        """Every job printed exactly once (its document, by content, at one printer) or still held; every
        printed job charged once. Returns the jobs by state."""
        printed = Counter(hashlib.sha256(path.read_bytes()).hexdigest()
                          for printer in printers for path in self.output(printer))
        jobs = self.jobs()
        by_state = Counter(job.state for job in jobs)
        assert set(by_state) <= {JobState.HELD, JobState.PRINTED}, by_state
        assert all(count == 1 for count in printed.values()), "a document printed twice"
        assert printed == Counter(job.sha256 for job in jobs if job.state == JobState.PRINTED), \
            "printed documents and printed jobs differ"
        with self.runtime.sessions() as session:
            charged = Counter(session.scalars(select(UsageRecord.job_id)))
        assert charged == Counter(job.id for job in jobs if job.state == JobState.PRINTED)
        return by_state
