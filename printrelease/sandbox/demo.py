"""The `make demo` sandbox: SQLite, a spool, the server, a private cupsd, a virtual queue, two printers."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from printrelease import db
from printrelease.accounts.service import add_user
from printrelease.config import Settings
from printrelease.credentials.service import CAPTURE, issue_token, revoke
from printrelease.cupsadmin import capture_uri, install_queue
from printrelease.printers.service import sync_printers
from printrelease.runtime import Runtime
from printrelease.sandbox.cupsd import PrivateCups, wait_for_port

PRINTERS = (("dept-3f", "3층 기획예산과 복합기"), ("dept-5f", "5층 민원봉사과 복합기"))
USERS = (
    ("kimsr", "김성렬", "budget", "기획예산과"),
    ("leejy", "이지영", "budget", "기획예산과"),
    ("parkmh", "박민호", "civil", "민원봉사과"),
)


@dataclass
class Sandbox:
    root: Path
    cups_port: int = 6631
    server_port: int = 8631
    capture_members: int = 2

    def __post_init__(self):
        self.root = Path(self.root).resolve()
        self.cups = PrivateCups(self.root / "cups", self.cups_port)
        self.server: subprocess.Popen | None = None

    @property
    def settings(self) -> Settings:
        return Settings.from_env(data_dir=self.root / "data", cups_server=self.cups.address, sweep_interval=5.0)

    @property
    def server_url(self) -> str:
        return f"http://127.0.0.1:{self.server_port}"

    def output_dir(self, printer: str) -> Path:
        return self.root / "output" / printer

    def env(self) -> dict[str, str]:
        settings = self.settings
        return {**os.environ, "PRINTRELEASE_DATA_DIR": str(settings.data_dir),
                "PRINTRELEASE_DATABASE_URL": settings.effective_database_url,
                "PRINTRELEASE_CUPS_SERVER": self.cups.address, "PRINTRELEASE_SWEEP_INTERVAL": "5"}

    def start(self) -> Runtime:
        self.root.mkdir(parents=True, exist_ok=True)
        os.chmod(self.root, 0o755)
        runtime = Runtime(self.settings)
        db.upgrade(self.settings.effective_database_url)
        self.cups.start()
        for name, location in PRINTERS:
            self.cups.add_folder_printer(name, self.output_dir(name), location)
        with runtime.sessions.begin() as session:
            revoke(session, CAPTURE, "secure-print")
            _credential, token = issue_token(session, CAPTURE, "secure-print")
            install_queue(self.cups.address, "secure-print", capture_uri(self.server_url, token),
                          members=self.capture_members, location="어느 복합기에서나 출력")
            sync_printers(session, runtime.print_server(), only={name for name, _ in PRINTERS})
            for login, name, code, department in USERS:
                add_user(session, login, name, f"{login}@example.go.kr", code, department)
        self.server = subprocess.Popen(
            [sys.executable, "-m", "printrelease", "serve", "--port", str(self.server_port)], env=self.env()
        )
        wait_for_port(self.server_port, process=self.server)
        return runtime

    def stop(self) -> None:
        if self.server and self.server.poll() is None:
            self.server.terminate()
            self.server.wait(10)
        self.cups.stop()

    def instructions(self) -> str:
        env = f"CUPS_SERVER={self.cups.address}"
        pr = f"PRINTRELEASE_DATA_DIR={self.root / 'data'} PRINTRELEASE_CUPS_SERVER={self.cups.address} .venv/bin/printrelease"
        return "\n".join([
            "printrelease demo is running:",
            f"  server      {self.server_url}/api/v1/health",
            f"  cupsd       {self.cups.address} (virtual queue 'secure-print', printers "
            + ", ".join(n for n, _ in PRINTERS) + ")",
            f"  output      {self.root / 'output'}/<printer>/",
            "",
            "Print a document as 김성렬 (login kimsr):",
            f"  {env} lp -d secure-print -U kimsr -t '예산안 2013.pdf' /usr/share/cups/data/testprint",
            "See it held:",
            f"  {pr} jobs list",
            "Release it at the 3rd-floor printer:",
            f"  {pr} jobs release --user kimsr --printer dept-3f",
            f"  ls {self.output_dir('dept-3f')}",
            "",
            "Ctrl-C stops the demo; its data stays in " + str(self.root),
        ])
