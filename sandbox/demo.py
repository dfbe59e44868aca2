"""The `make demo` sandbox: SQLite, a spool, the server, a private cupsd, a virtual queue, two printers."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from printrelease import db
from printrelease.accounts.service import add_user, set_password
from printrelease.cards.service import add_card
from printrelease.config import Settings
from printrelease.credentials.service import CAPTURE, issue_token, revoke
from printrelease.cupsadmin import DEFAULT_MEMBERS, capture_uri, install_queue
from printrelease.keys import write_private_file
from printrelease.prices.service import prices_in_force, set_price
from printrelease.printers.service import sync_printers
from printrelease.runtime import Runtime
from sandbox.cupsd import PrivateCups, stop_process, wait_for_port
from sandbox.documents import make_pdf
from sandbox.pcsc import VirtualCard, VirtualReaderDaemon
from printrelease.stations.models import Station
from printrelease.stations.service import add_station, remove_station

PRINTERS = (("dept-3f", "3층 기획예산과 복합기"), ("dept-5f", "5층 민원봉사과 복합기"))
# login, name, department code and name, role: a finance officer and an administrator see their pages too.
USERS = (
    ("kimsr", "김성렬", "budget", "기획예산과", "user"),
    ("leejy", "이지영", "budget", "기획예산과", "user"),
    ("parkmh", "박민호", "civil", "민원봉사과", "user"),
    ("parkmj", "박민정", "finance", "재무과", "finance"),
    ("choihs", "최현수", "it", "정보통신과", "admin"),
)
# The demo's price list (won per impression): A4 and A3, black and white and colour, duplex a little cheaper.
PRICES = (("A4", "20", "100", "15", "90"), ("A3", "40", "200", "30", "180"))
# The demo users' badges (card UIDs as a reader reads them); `python -m sandbox tap USER` plays them.
DEMO_PASSWORD = "demo-password"  # every demo user's web login; a sandbox only
CARDS = {"kimsr": "04A1B2C3D4E5F6", "leejy": "04B7C8D9EAFB0C", "parkmh": "8A3F12C4"}
STATION, STATION_PRINTER, STATION_READER = "dept-3f-reader", "dept-3f", "Virtual PCD 00 00"
CODE_PLACEHOLDER = "CODE"  # in the instructions: where the one-time code of an unknown card's tap goes
PCSCD_POLL = 0.5  # seconds: a little over pcscd's polling period for readers without card events


FALLBACK_ROOT = Path("/var/tmp/printrelease-demo")


def reachable_root(wanted: Path) -> Path:
    """`wanted`, or FALLBACK_ROOT if CUPS's filters and backends, which run as lp, could not reach it.

    A checkout under /root (mode 0700) is the common case: the sandbox then lives outside it rather than
    loosen the permissions of anyone's home.
    """
    for folder in [wanted, *wanted.parents]:
        if folder.exists() and not folder.stat().st_mode & stat.S_IXOTH:
            return FALLBACK_ROOT
    return wanted


@dataclass
class Sandbox:
    root: Path
    cups_port: int = 6631
    server_port: int = 8631
    capture_members: int = DEFAULT_MEMBERS

    def __post_init__(self):
        self.requested_root = Path(self.root).resolve()
        self.root = reachable_root(self.requested_root)
        self.cups = PrivateCups(self.root / "cups", self.cups_port)
        self.readers = VirtualReaderDaemon(self.root / "pcscd")
        self.server: subprocess.Popen | None = None
        self.agent: subprocess.Popen | None = None

    @property
    def station_log(self) -> Path:
        return self.root / "station.log"

    @property
    def sample_document(self) -> Path:
        return self.root / "예산안-2013.pdf"  # no space: see README, "Known problems"

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
            for login, name, code, department, role in USERS:
                add_user(session, login, name, f"{login}@example.go.kr", code, department, role=role)
                set_password(session, login, DEMO_PASSWORD)
                if login in CARDS:
                    add_card(session, runtime.card_key, login, CARDS[login], label="demo badge")
            if not any(price for _size, price in prices_in_force(session)):
                for size, mono, colour, mono_duplex, colour_duplex in PRICES:
                    set_price(session, size, "KRW", mono, colour, mono_duplex, colour_duplex, actor="demo")
            if session.scalar(select(Station).where(Station.name == STATION)) is not None:
                remove_station(session, STATION)
                session.flush()
            token = add_station(session, STATION, STATION_PRINTER)[1]
        token_file = self.root / "station.token"
        write_private_file(token_file, token + "\n")
        make_pdf(self.sample_document, "예산안 2013", pages=3, colour_pages={1})
        self.server = subprocess.Popen(
            [sys.executable, "-m", "printrelease", "serve", "--port", str(self.server_port)], env=self.env()
        )
        wait_for_port(self.server_port, process=self.server)
        self.readers.ensure()
        self.agent = subprocess.Popen(
            [sys.executable, "-m", "printrelease", "station", "run", "--server", self.server_url,
             "--token-file", str(token_file), "--reader", STATION_READER],
            env=self.env(), stdout=subprocess.DEVNULL, stderr=open(self.station_log, "wb"))
        self._wait_for_station()
        return runtime

    def _wait_for_station(self, timeout: float = 30.0) -> None:
        # A badge already on the reader when the agent starts is not a tap: be ready before saying so.
        deadline = time.monotonic() + timeout
        while "ready" not in self.station_log.read_text(errors="replace"):
            if self.agent.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the station agent did not start; see {self.station_log}")
            time.sleep(0.1)

    def stop(self) -> None:
        for process in (self.agent, self.server):
            stop_process(process)
        self.readers.stop()
        self.cups.stop()

    def tap(self, uid: str, timeout: float = 15.0) -> str:
        """Hold a badge on the station's virtual reader until the agent has dealt with it."""
        seen = self.station_log.read_text(errors="replace").count("tap card") if self.station_log.exists() else 0
        with VirtualCard(uid, self.readers.port):
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                log = self.station_log.read_text(errors="replace")
                lines = [line for line in log.splitlines() if "tap card" in line]
                if len(lines) > seen:
                    answer = lines[-1].split("printrelease.station: ", 1)[-1]
                    break
                time.sleep(0.1)
            else:
                answer = None
        # pcscd polls the virtual reader every 400 ms: a card swapped faster than that is never seen
        # as removed, so the next tap would not count as a new card.
        time.sleep(PCSCD_POLL)
        if answer is not None:
            return answer
        tail = "\n".join(self.station_log.read_text(errors="replace").splitlines()[-5:])
        raise TimeoutError(f"the station agent did not answer within {timeout}s; {self.station_log} ends:\n{tail}")

    def instructions(self) -> str:
        env = f"CUPS_SERVER={self.cups.address}"
        pr = (f"PRINTRELEASE_DATA_DIR={self.root / 'data'} PRINTRELEASE_CUPS_SERVER={self.cups.address} "
              ".venv/bin/printrelease")
        moved = ([f"(CUPS runs filters as user lp, which cannot enter {self.requested_root}: the sandbox "
                  f"lives in {self.root})", ""] if self.root != self.requested_root else [])
        return "\n".join([
            *moved,
            "printrelease demo is running:",
            f"  server      {self.server_url}/api/v1/health",
            f"  web pages   {self.server_url}/  (password {DEMO_PASSWORD} for every login: kimsr, leejy, parkmh;",
            "              parkmj sees the finance reports, choihs the administration too)",
            f"  cupsd       {self.cups.address} (virtual queue 'secure-print', printers "
            + ", ".join(n for n, _ in PRINTERS) + ")",
            *([f"              running {self.cups.program}: the installed cupsd build is known to crash "
               "(README, \"Known problems\")"] if self.cups.program != "cupsd" else []),
            f"  output      {self.root / 'output'}/<printer>/",
            "",
            f"  station     {STATION} at {STATION_PRINTER} (virtual card reader; log {self.station_log})",
            "",
            "Print a document as 김성렬 (login kimsr):",
            f"  {env} lp -d secure-print -U kimsr -t '예산안-2013.pdf' '{self.sample_document}'",
            "See it held:",
            f"  {pr} jobs list",
            "Tap 김성렬's badge at the 3rd-floor printer (in another terminal):",
            "  .venv/bin/python -m sandbox tap kimsr",
            f"  ls {self.output_dir('dept-3f')}",
            "Or release it from the command line, at the 5th floor:",
            f"  {pr} jobs release --user kimsr --printer dept-5f",
            "An unknown badge: the station shows a one-time code, with which its owner claims it after logging",
            f"in (password {DEMO_PASSWORD}; put the code the tap shows in place of {CODE_PLACEHOLDER}):",
            "  .venv/bin/python -m sandbox tap --card 0A0B0C0D",
            f"  curl -s -c {self.root / 'cookies'} -H 'Content-Type: application/json' -d "
            f"'{{\"login\": \"parkmh\", \"password\": \"{DEMO_PASSWORD}\"}}' {self.server_url}/api/v1/session",
            f"  curl -s -b {self.root / 'cookies'} -H 'Content-Type: application/json' -d "
            f"'{{\"station\": \"{STATION}\", \"code\": \"{CODE_PLACEHOLDER}\"}}' "
            f"{self.server_url}/api/v1/me/cards/claim",
            "",
            "Ctrl-C stops the demo; its data stays in " + str(self.root),
        ])
