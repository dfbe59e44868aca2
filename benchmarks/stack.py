"""A throwaway private cupsd, server and database for one benchmark run."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select

from printrelease import db
from printrelease.config import Settings
from printrelease.credentials.service import CAPTURE, issue_token
from printrelease.cupsadmin import capture_uri, install_queue
from printrelease.jobs.models import Job, JobState
from printrelease.printers.service import sync_printers
from printrelease.runtime import Runtime
from sandbox.cupsd import PrivateCups, free_port, wait_for_port


class BenchStack:
    def __init__(self):
        self.root = Path(tempfile.mkdtemp(prefix="printrelease-bench-"))
        os.chmod(self.root, 0o755)
        self.cupsd = PrivateCups(self.root / "cups")
        self.settings = Settings(data_dir=self.root / "data", cups_server=None, max_job_bytes=1 << 30)
        self.port = free_port()
        self.server: subprocess.Popen | None = None

    def __enter__(self) -> "BenchStack":
        self.cupsd.start()
        self.settings = Settings(data_dir=self.root / "data", cups_server=self.cupsd.address, max_job_bytes=1 << 30)
        self.runtime = Runtime(self.settings)
        db.upgrade(self.settings.effective_database_url)
        self.cupsd.add_discard_printer("discard")
        self.cupsd.add_folder_printer("dept-a", self.root / "output" / "dept-a")
        self.start_server()
        with self.runtime.sessions.begin() as session:
            sync_printers(session, self.runtime.print_server(), only={"dept-a"})
        return self

    def __exit__(self, *exc) -> None:
        if self.server and self.server.poll() is None:
            self.server.terminate()
            self.server.wait(10)
        self.cupsd.stop()
        self.runtime.close()
        subprocess.run(["rm", "-rf", str(self.root)])

    def start_server(self) -> None:
        env = {**os.environ, "PRINTRELEASE_DATA_DIR": str(self.settings.data_dir),
               "PRINTRELEASE_CUPS_SERVER": self.cupsd.address, "PRINTRELEASE_MAX_JOB_BYTES": str(1 << 30),
               # Housekeeping (colour analysis runs Ghostscript) would compete with the measurements.
               "PRINTRELEASE_SWEEP_INTERVAL": "3600"}
        log = open(self.root / "server.log", "ab")
        self.server = subprocess.Popen([sys.executable, "-m", "printrelease", "serve", "--port", str(self.port)],
                                       env=env, stdout=log, stderr=log)
        wait_for_port(self.port, process=self.server)

    def capture_queue(self, name: str, members: int) -> None:
        with self.runtime.sessions.begin() as session:
            token = issue_token(session, CAPTURE, name)[1]
            install_queue(self.cupsd.address, name, capture_uri(f"http://127.0.0.1:{self.port}", token), members)

    def lp(self, queue: str, path: Path, title: str = "bench", user: str = "김성렬") -> None:
        subprocess.run(["lp", "-h", self.cupsd.address, "-d", queue, "-U", user, "-t", title, str(path)],
                       check=True, stdout=subprocess.DEVNULL)

    def held_count(self) -> int:
        with self.runtime.sessions() as session:
            return session.scalar(select(func.count()).select_from(Job).where(Job.state == JobState.HELD))

    def cups_busy(self) -> int:
        import cups

        return len(cups.Connection(host="127.0.0.1", port=self.cupsd.port).getJobs(which_jobs="not-completed"))

    def wait(self, predicate, timeout: float = 600.0) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise TimeoutError("benchmark condition not reached")
            time.sleep(0.01)

    def cpu_seconds(self) -> dict[str, float]:
        """CPU used so far by the server, by cupsd, and by cupsd's finished children (backends, filters)."""

        def times(pid):
            fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
            user, system, children_user, children_system = (int(v) / os.sysconf("SC_CLK_TCK") for v in fields[11:15])
            return user + system, children_user + children_system

        cupsd_self, cupsd_children = times(self.cupsd.process.pid)
        return {"server": sum(times(pid)[0] for pid in self.server_pids()), "cupsd": cupsd_self,
                "backends": cupsd_children}

    def server_pids(self) -> list[int]:
        """The server's processes: gunicorn's master, its worker and the worker's page-counting processes."""
        pids, index = [self.server.pid], 0
        while index < len(pids):
            children = Path(f"/proc/{pids[index]}/task/{pids[index]}/children")
            pids += [int(pid) for pid in children.read_text().split()] if children.exists() else []
            index += 1
        return pids

    def server_memory_kib(self, field: str = "VmRSS") -> int:
        """Summed over the server's processes (for VmHWM, the sum of each one's peak)."""
        total = 0
        for pid in self.server_pids():
            try:
                with open(f"/proc/{pid}/status") as status:
                    total += next(int(line.split()[1]) for line in status if line.startswith(field + ":"))
            except FileNotFoundError:
                pass  # a page-counting process replaced meanwhile
        return total
