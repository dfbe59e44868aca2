"""Settings for every edge (server, CLI, backend installer), read from PRINTRELEASE_* variables."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path


def _env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(f"PRINTRELEASE_{name}", default)


@dataclass(frozen=True)
class Settings:
    """Everything that differs between a sandbox, a test run and a production site."""

    data_dir: Path = Path("var")
    database_url: str | None = None
    hold_time: timedelta = timedelta(hours=24)
    max_job_bytes: int = 1024 * 1024 * 1024
    cups_server: str | None = None
    capture_queue: str = "secure-print"
    secret_key: str | None = None  # unset: a key made once and kept in data_dir/keys
    card_key: str | None = None
    claim_window: timedelta = timedelta(minutes=10)
    sweep_interval: float = 30.0
    auto_create_users: bool = True
    secure_cookies: bool = False  # set behind HTTPS: the browser then sends the session cookie only over TLS
    # A releaser renews its claim on a job at every step and every lease/3 seconds while an upload runs;
    # recovery takes over only claims not renewed for this long. Measured safe: BENCHMARKS.md.
    release_lease: timedelta = timedelta(seconds=30)
    # A sent job that its printer has not started after this long is cancelled and held again: its owner
    # has left the printer, and it must not print unattended when the printer comes back.
    start_timeout: timedelta = timedelta(minutes=3)
    printer_poll_interval: float = 60.0  # seconds between health polls of every printer
    # Seconds to wait for an IPP printer's own answer before a release; 0: ask only its CUPS queue (for
    # CUPS servers whose printers this server cannot reach).
    device_timeout: float = 2.0

    @property
    def spool_dir(self) -> Path:
        return self.data_dir / "spool"

    @property
    def keys_dir(self) -> Path:
        return self.data_dir / "keys"

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'printrelease.sqlite3').resolve()}"

    @classmethod
    def from_env(cls, **overrides) -> "Settings":
        """Read the environment; explicit keyword overrides win (the CLI passes its options here)."""
        settings = cls(
            data_dir=Path(_env("DATA_DIR", "var")),
            database_url=_env("DATABASE_URL"),
            hold_time=timedelta(hours=float(_env("HOLD_HOURS", "24"))),
            max_job_bytes=int(_env("MAX_JOB_BYTES", str(1024**3))),
            cups_server=_env("CUPS_SERVER") or os.environ.get("CUPS_SERVER"),
            capture_queue=_env("CAPTURE_QUEUE", "secure-print"),
            secret_key=_env("SECRET_KEY") or None,
            card_key=_env("CARD_KEY") or None,
            claim_window=timedelta(minutes=float(_env("CLAIM_WINDOW_MINUTES", "10"))),
            sweep_interval=float(_env("SWEEP_INTERVAL", "30")),
            auto_create_users=_env("AUTO_CREATE_USERS", "1") not in ("0", "false", "no"),
            secure_cookies=_env("SECURE_COOKIES", "0") in ("1", "true", "yes"),
            release_lease=timedelta(seconds=float(_env("RELEASE_LEASE_SECONDS", "30"))),
            start_timeout=timedelta(seconds=float(_env("START_TIMEOUT_SECONDS", "180"))),
            printer_poll_interval=float(_env("PRINTER_POLL_SECONDS", "60")),
            device_timeout=float(_env("DEVICE_TIMEOUT_SECONDS", "2")),
        )
        return replace(settings, **{k: v for k, v in overrides.items() if v is not None})
