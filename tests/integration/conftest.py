"""The whole stack on real components: the session's private cupsd, the server as a process, the CLI."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from printrelease.config import Settings
from printrelease.credentials.service import CAPTURE, issue_token, revoke
from printrelease.cupsadmin import capture_uri, install_queue
from printrelease.jobs.models import Job, JobState
from printrelease.printers.service import sync_printers
from printrelease.runtime import Runtime
from sandbox.cupsd import free_port, wait_for_port

from tests.conftest import fresh_database
from tests.waiting import wait_until  # noqa: F401  (the integration tests import it from here)


class Stack:
    """One test's server, database and spool, wired to the session's cupsd."""

    def __init__(self, cupsd, root: Path, database_url: str):
        self.cupsd, self.root = cupsd, root
        self.settings = Settings(data_dir=root / "data", database_url=database_url, cups_server=cupsd.address,
                                 max_job_bytes=5_000_000, sweep_interval=1.0)
        self.runtime = Runtime(self.settings)
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self.extra_env: dict[str, str] = {}  # more PRINTRELEASE_* settings for the next start of the server

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        return {**os.environ, "PRINTRELEASE_DATA_DIR": str(self.settings.data_dir),
                "PRINTRELEASE_DATABASE_URL": self.settings.effective_database_url,
                "PRINTRELEASE_CUPS_SERVER": self.cupsd.address, "PRINTRELEASE_MAX_JOB_BYTES": "5000000",
                "PRINTRELEASE_SWEEP_INTERVAL": "1", "PRINTRELEASE_PRINTER_POLL_SECONDS": "1",
                "CUPS_SERVER": self.cupsd.address,
                "PRINTRELEASE_CUPS_BACKEND_DIR": str(self.cupsd.backend_dir), "PRINTRELEASE_CONFIG": "",
                **self.extra_env}

    @staticmethod
    def cli_command() -> list[str]:
        return [sys.executable, "-m", "printrelease"]

    def start_server(self, **extra_env: str) -> None:
        log = open(self.root / "server.log", "ab")
        # A session of its own: signals (a stop, a pause, a kill) reach the whole server, workers too.
        self.process = subprocess.Popen([sys.executable, "-m", "printrelease", "serve", "--port", str(self.port)],
                                        env={**self.env(), **extra_env}, stdout=log, stderr=log,
                                        start_new_session=True)
        wait_for_port(self.port, process=self.process)

    def signal_server(self, number: int) -> None:
        os.killpg(self.process.pid, number)

    def stop_server(self) -> None:
        if self.process and self.process.poll() is None:
            self.signal_server(signal.SIGTERM)
            self.process.wait(10)

    def install_queue(self, name="secure-print", members=1) -> None:
        with self.runtime.sessions.begin() as session:
            revoke(session, CAPTURE, name)
            token = issue_token(session, CAPTURE, name)[1]
            self.device_uri = capture_uri(self.url, token)
            install_queue(self.cupsd.address, name, self.device_uri, members=members)

    def cli(self, *args, check=True, env: dict | None = None, **kwargs) -> subprocess.CompletedProcess:
        done = subprocess.run([*self.cli_command(), *args], env={**self.env(), **(env or {})},
                              capture_output=True, text=True, **kwargs)
        if check and done.returncode != 0:
            raise AssertionError(f"printrelease {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done

    def lp(self, path, user="김성렬", title="예산안 2013.pdf", queue="secure-print", *options) -> int:
        args = ["lp", "-h", self.cupsd.address, "-d", queue, "-U", user, "-t", title]
        for option in options:
            args += ["-o", option]
        done = subprocess.run(args + [str(path)], capture_output=True)
        assert done.returncode == 0, done.stderr
        return int(done.stdout.split()[3].rsplit(b"-", 1)[1])

    def jobs(self, *states: JobState) -> list[Job]:
        with self.runtime.sessions() as session:
            query = select(Job).order_by(Job.id).options(selectinload(Job.events))
            if states:
                query = query.where(Job.state.in_(states))
            return list(session.scalars(query).unique())

    def wait_jobs(self, count: int, *states: JobState, timeout=30.0) -> list[Job]:
        try:
            return wait_until(lambda: (jobs := self.jobs(*states)) and len(jobs) >= count and jobs, timeout)
        except AssertionError:
            raise AssertionError(f"waited {timeout}s for {count} job(s) in {[s.value for s in states]}; have "
                                 f"{self.jobs()}\ncupsd log:\n{self.cupsd_log()}") from None

    def cupsd_log(self, lines=30) -> str:
        log = self.cupsd.error_log
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:]) if log.exists() else "(empty)"

    def cups_job(self, job_id: int) -> dict:
        import cups

        host, port = self.cupsd.address.split(":")
        return cups.Connection(host=host, port=int(port)).getJobAttributes(job_id)

    def output(self, printer: str) -> list[Path]:
        return sorted((self.cupsd.output_root / printer).glob("*.pdf"))


def _reset_cupsd(cupsd) -> None:
    subprocess.run(["cancel", "-h", cupsd.address, "-a", "-x"], capture_output=True)
    # A test may have made the virtual queue a class, or guarded it: every test starts from a plain queue.
    for queue in ("secure-print", *(f"secure-print-capture-{n}" for n in range(1, 5))):
        subprocess.run(["lpadmin", "-h", cupsd.address, "-x", queue], capture_output=True)
    for printer in ("dept-a", "dept-b"):
        folder = cupsd.output_root / printer
        for path in folder.iterdir():
            path.unlink()
        subprocess.run(["cupsenable", "-h", cupsd.address, printer], capture_output=True)


@contextmanager
def running_stack(cupsd, root: Path, url: str, kind=Stack):
    _reset_cupsd(cupsd)
    stack = kind(cupsd, root, url)
    stack.start_server()
    try:
        stack.install_queue()
        with stack.runtime.sessions.begin() as session:
            sync_printers(session, stack.runtime.print_server(), only={"dept-a", "dept-b"})
        yield stack
    finally:
        stack.stop_server()
        stack.runtime.close()
        _reset_cupsd(cupsd)


@pytest.fixture
def stack(request, cupsd, tmp_path):
    """The whole stack on SQLite; `any_db_stack` runs a test on PostgreSQL as well."""
    with running_stack(cupsd, tmp_path, fresh_database(request, "sqlite", tmp_path / "data")) as stack:
        yield stack


@pytest.fixture(params=["sqlite", "postgresql"])
def any_db_stack(request, cupsd, tmp_path):
    with running_stack(cupsd, tmp_path, fresh_database(request, request.param, tmp_path / "data")) as stack:
        yield stack


@pytest.fixture
def documents(tmp_path):
    """Documents in the formats clients send: PDF, PostScript, plain text (Korean), PNG."""
    from sandbox.documents import make_pdf

    folder = tmp_path / "documents"
    folder.mkdir()
    # No space in the file name: lp sends it as the document-name, and Debian's cupsd 2.4.2-3+deb12u10
    # crashes on a document-name with a space (README, "Known problems").
    pdf = make_pdf(folder / "예산안-2013.pdf", "예산안 2013", pages=3)
    ps = folder / "memo.ps"
    subprocess.run(["pdftops", str(pdf), str(ps)], check=True)
    text = folder / "memo.txt"
    text.write_text("회의록\n2026년 11월 25일\n참석자: 김성렬, 이지영\n" * 10, encoding="utf-8")
    from PIL import Image

    png = folder / "chart.png"
    Image.new("RGB", (400, 300), (200, 30, 30)).save(png)
    return {"pdf": pdf, "ps": ps, "text": text, "png": png}
