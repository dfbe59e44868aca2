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
    capture_attempts: int = 3  # failed captures of one CUPS job before it is refused instead of retried
    analysis_workers: int = 2  # processes counting pages at capture
    analysis_memory_mb: int = 512  # address space of each of them
    analysis_seconds: float = 30.0  # time one document may take to count
    colour_memory_mb: int = 1024  # Ghostscript's address space when measuring colour pages
    colour_seconds: float = 120.0  # and its time per document
    trusted_proxies: int = 0  # reverse proxies in front of the server whose X-Forwarded-For is believed
    web_workers: int = 1  # gunicorn worker processes (more only on PostgreSQL)

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
            capture_attempts=int(_env("CAPTURE_ATTEMPTS", "3")),
            analysis_workers=int(_env("ANALYSIS_WORKERS", "2")),
            analysis_memory_mb=int(_env("ANALYSIS_MEMORY_MB", "512")),
            analysis_seconds=float(_env("ANALYSIS_SECONDS", "30")),
            colour_memory_mb=int(_env("COLOUR_MEMORY_MB", "1024")),
            colour_seconds=float(_env("COLOUR_SECONDS", "120")),
            trusted_proxies=int(_env("TRUSTED_PROXIES", "0")),
            web_workers=int(_env("WEB_WORKERS", "1")),
        )
        return replace(settings, **{k: v for k, v in overrides.items() if v is not None})
