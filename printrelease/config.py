"""Settings for every edge (server, CLI, backend installer), read from PRINTRELEASE_* variables."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from datetime import timedelta
from decimal import Decimal
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
    # Finance: money, the site's calendar, the savings factors and the monthly reports.
    currency: str = "KRW"
    timezone: str = "Asia/Seoul"  # "month" and "day" in reports, and price dates, are in this zone
    co2_grams_per_sheet: Decimal = Decimal("12.7")
    sheets_per_tree: int = 8333
    large_format_clicks: int = 2  # a lease counts an A3 impression as this many clicks
    report_language: str = "ko"
    monthly_reports_dir: Path | None = None  # set: the server writes last month's reports on the 1st
    monthly_reports_mail_to: str | None = None
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    smtp_from: str = "printrelease@localhost"

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
            currency=(_env("CURRENCY") or "KRW").upper(),
            timezone=_env("TIMEZONE") or "Asia/Seoul",
            co2_grams_per_sheet=Decimal(_env("CO2_GRAMS_PER_SHEET") or "12.7"),
            sheets_per_tree=int(_env("SHEETS_PER_TREE") or "8333"),
            large_format_clicks=int(_env("LARGE_FORMAT_CLICKS") or "2"),
            report_language=_env("REPORT_LANGUAGE") or "ko",
            monthly_reports_dir=Path(_env("MONTHLY_REPORTS_DIR")) if _env("MONTHLY_REPORTS_DIR") else None,
            monthly_reports_mail_to=_env("MONTHLY_REPORTS_MAIL_TO") or None,
            smtp_host=_env("SMTP_HOST") or None,
            smtp_port=int(_env("SMTP_PORT") or "25"),
            smtp_user=_env("SMTP_USER") or None,
            smtp_password=_env("SMTP_PASSWORD") or None,
            smtp_starttls=_env("SMTP_STARTTLS", "0") in ("1", "true", "yes"),
            smtp_from=_env("SMTP_FROM") or "printrelease@localhost",
        )
        return replace(settings, **{k: v for k, v in overrides.items() if v is not None})
