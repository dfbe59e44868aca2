"""Settings for every edge (server, CLI, backend installer, station agent): one configuration file of
PRINTRELEASE_* lines, overridden by the environment.

The file is /etc/printrelease/printrelease.conf unless PRINTRELEASE_CONFIG names another (an empty
PRINTRELEASE_CONFIG reads none). It holds `KEY=value` lines in the syntax of a systemd EnvironmentFile
(comments with #, optional quotes), so a unit could read the same file; a variable set in the
environment wins over the file, and an option on the command line wins over both.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, replace
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from printrelease.errors import PrintReleaseError
from printrelease.i18n import N_

DEFAULT_CONFIG = Path("/etc/printrelease/printrelease.conf")
PREFIX = "PRINTRELEASE_"
TEN_YEARS = timedelta(days=3652)
LOG_LEVELS = ("debug", "info", "warning", "error", "critical")

# Every name the file may hold (without the prefix); anything else is a typo worth refusing.
KNOWN = frozenset({
    "DATA_DIR", "DATABASE_URL", "HOLD_HOURS", "MAX_JOB_BYTES", "CUPS_SERVER", "CUPS_BACKEND_DIR",
    "CAPTURE_QUEUE", "SECRET_KEY", "CARD_KEY", "CLAIM_WINDOW_MINUTES", "SWEEP_INTERVAL", "AUTO_CREATE_USERS",
    "SECURE_COOKIES", "USER", "LOG_FORMAT", "LOG_LEVEL", "SERVER_URL", "STATION_TOKEN_FILE", "STATION_READER",
    "STATION_SEEN_HOURS", "RELEASE_LEASE_SECONDS", "START_TIMEOUT_SECONDS", "PRINTER_POLL_SECONDS",
    "DEVICE_TIMEOUT_SECONDS", "CURRENCY", "TIMEZONE", "CO2_GRAMS_PER_SHEET", "SHEETS_PER_TREE",
    "LARGE_FORMAT_CLICKS", "REPORT_LANGUAGE", "MONTHLY_REPORTS_DIR", "MONTHLY_REPORTS_MAIL_TO", "SMTP_HOST",
    "SMTP_PORT", "SMTP_USER", "SMTP_PASSWORD", "SMTP_STARTTLS", "SMTP_FROM", "CAPTURE_ATTEMPTS", "ANALYSIS_WORKERS",
    "ANALYSIS_MEMORY_MB", "ANALYSIS_SECONDS", "COLOUR_MEMORY_MB", "COLOUR_SECONDS", "TRUSTED_PROXIES", "WEB_WORKERS",
    "LDAP_URL", "LDAP_USER_DN", "LDAP_SEARCH_BASE", "LDAP_SEARCH_FILTER", "LDAP_BIND_DN", "LDAP_BIND_PASSWORD",
    "LDAP_LOGIN_ATTRIBUTE", "LDAP_NAME_ATTRIBUTE", "LDAP_EMAIL_ATTRIBUTE", "LDAP_DEPARTMENT_ATTRIBUTE",
    "LDAP_DEPARTMENT_NAME_ATTRIBUTE", "LDAP_TIMEOUT", "LDAP_START_TLS", "LDAP_CA_FILE", "METRICS_TOKEN", "ACCESS_LOG",
})


class ConfigError(PrintReleaseError):
    """The configuration cannot be read or holds something wrong: the edge says which line and stops."""

    code = "config"
    exit_status = 78  # EX_CONFIG: a unit's RestartPreventExitStatus=78 keeps it from restarting in a loop


def config_path(environ=os.environ) -> Path | None:
    """The configuration file to read: PRINTRELEASE_CONFIG, else the default one on an installed machine
    (its folder exists: an installed machine without the file is a fault, not a site of defaults)."""
    named = environ.get(PREFIX + "CONFIG")
    if named is not None:
        return Path(named) if named.strip() else None
    try:
        installed = DEFAULT_CONFIG.parent.is_dir()
    except PermissionError:
        installed = True
    # The file is read (and refused with a remedy) even when this user may not enter its folder.
    return DEFAULT_CONFIG if installed else None


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        inner = value[1:-1]
        return inner.replace('\\"', '"').replace("\\\\", "\\") if value[0] == '"' else inner
    return value


def parse_config(text: str, source: str = "configuration") -> dict[str, str]:
    """`KEY=value` lines as systemd's EnvironmentFile reads them; names are PRINTRELEASE_* from KNOWN."""
    values = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        name, equals, value = line.partition("=")
        name = name.strip()
        if not equals or not name:
            raise ConfigError(N_("%(file)s line %(line)s: expected NAME=value, found '%(text)s'"),
                              file=source, line=number, text=line[:60])
        if not name.startswith(PREFIX) or name[len(PREFIX):] not in KNOWN:
            raise ConfigError(N_("%(file)s line %(line)s: %(name)s is not a printrelease setting"),
                              file=source, line=number, name=name)
        values[name] = _unquote(value.strip())
    return values


def read_config(path: Path) -> dict[str, str]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(N_("configuration file %(file)s does not exist: restore it from a backup (its keys "
                             "match the cards), or name another with PRINTRELEASE_CONFIG"), file=str(path)) from None
    except PermissionError:
        raise ConfigError(N_("cannot read %(file)s (permission denied): run this as root or as the service "
                             "user, e.g. sudo printrelease ..."), file=str(path)) from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(N_("cannot read %(file)s: %(detail)s"), file=str(path), detail=str(error)) from None
    return parse_config(text, str(path))


def environment(environ=os.environ) -> tuple[dict[str, str], Path | None]:
    """The settings as the edges see them (file first, the environment over it) and the file read."""
    path = config_path(environ)
    values = read_config(path) if path is not None else {}
    values.update({name: value for name, value in environ.items() if name.startswith(PREFIX)})
    return values, path


def _number(values: dict[str, str], name: str, default: str, kind=float, least=None, most=None):
    """A number setting: above 0, or at least `least`; at most `most`. Anything else (inf, nan, negative, past
    the calendar) would start a server that misbehaves later, so it is refused here, naming the setting."""
    text = values.get(PREFIX + name, default)
    try:
        number = kind(text)
        finite = math.isfinite(number)
    except (ValueError, ArithmeticError):  # decimal's InvalidOperation is an ArithmeticError
        raise ConfigError(N_("%(name)s=%(value)s is not a number"), name=PREFIX + name, value=text) from None
    low = "> 0" if least is None else f"≥ {least}"
    if not finite or not (number > 0 if least is None else number >= least) or (most is not None and number > most):
        raise ConfigError(N_("%(name)s=%(value)s is out of range (%(range)s)"), name=PREFIX + name, value=text,
                          range=low + (f", ≤ {most}" if most is not None else "")) from None
    return number


def _duration(values: dict[str, str], name: str, default: str, unit: str) -> timedelta:
    """A duration in `unit`s (hours, minutes, seconds): above 0 and within ten years (a deadline past the
    calendar's end would fail every capture)."""
    return timedelta(**{unit: _number(values, name, default, most=int(TEN_YEARS / timedelta(**{unit: 1})))})


def _choice(values: dict[str, str], name: str, default: str, choices: tuple[str, ...]) -> str:
    value = values.get(PREFIX + name, default).strip()
    if value.lower() not in choices:
        raise ConfigError(N_("%(name)s must be one of %(choices)s, not '%(value)s'"), name=PREFIX + name,
                          choices=", ".join(choices), value=value)
    return value.lower()


def _zone(values: dict[str, str], name: str, default: str) -> str:
    value = values.get(PREFIX + name) or default
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(N_("%(name)s=%(value)s is not a time zone (such as Asia/Seoul)"), name=PREFIX + name,
                          value=value) from None
    return value


def _token_hash(values: dict[str, str], name: str) -> str | None:
    """A token kept as its SHA-256 (`sha256:` and 64 hex digits), so that the file never holds the token."""
    text = values.get(PREFIX + name, "").strip()
    if not text:
        return None
    kind, _, digest = text.partition(":")
    if kind.lower() != "sha256" or len(digest) != 64 or any(ch not in "0123456789abcdefABCDEF" for ch in digest):
        raise ConfigError(N_("%(name)s holds the token's SHA-256 as sha256:<64 hex digits>, not the token itself"),
                          name=PREFIX + name)
    return digest.lower()


@dataclass(frozen=True)
class LdapSettings:
    """A directory (OpenLDAP, Active Directory) that logins are checked against by binding as the user.

    Either `user_dn` (a template such as uid={login},ou=people,dc=example,dc=go,dc=kr) or `search_base`
    with `search_filter` (such as (sAMAccountName={login})), searched with `bind_dn`/`bind_password`
    (anonymously if unset) to find the user's entry.
    """

    url: str
    user_dn: str | None = None
    search_base: str | None = None
    search_filter: str = "(uid={login})"
    bind_dn: str | None = None
    bind_password: str | None = None
    login_attribute: str = "uid"  # the login as the directory spells it (AD: sAMAccountName)
    name_attribute: str = "displayName"
    email_attribute: str = "mail"
    department_attribute: str = "departmentNumber"  # the department's code (AD: e.g. departmentNumber)
    department_name_attribute: str = "ou"  # its name (AD: department)
    timeout: float = 5.0  # seconds to connect and for each answer
    start_tls: bool = False  # for ldap:// URLs; ldaps:// is TLS from the start
    ca_file: str | None = None  # certificates to check the server's against (default: the system's)

    @classmethod
    def from_values(cls, values: dict[str, str]) -> "LdapSettings | None":
        def get(name, default=None):
            return values.get(PREFIX + "LDAP_" + name) or default

        if not get("URL"):
            return None
        settings = cls(url=get("URL"), user_dn=get("USER_DN"), search_base=get("SEARCH_BASE"),
                       search_filter=get("SEARCH_FILTER", "(uid={login})"), bind_dn=get("BIND_DN"),
                       bind_password=get("BIND_PASSWORD"), login_attribute=get("LOGIN_ATTRIBUTE", "uid"),
                       name_attribute=get("NAME_ATTRIBUTE", "displayName"),
                       email_attribute=get("EMAIL_ATTRIBUTE", "mail"),
                       department_attribute=get("DEPARTMENT_ATTRIBUTE", "departmentNumber"),
                       department_name_attribute=get("DEPARTMENT_NAME_ATTRIBUTE", "ou"),
                       timeout=_number(values, "LDAP_TIMEOUT", "5"),
                       start_tls=get("START_TLS", "0") in ("1", "true", "yes"), ca_file=get("CA_FILE"))
        if bool(settings.user_dn) == bool(settings.search_base):
            raise ConfigError(N_("set one of %(first)s (a DN template with {login}) and %(second)s (with "
                                 "%(filter)s)"), first=PREFIX + "LDAP_USER_DN", second=PREFIX + "LDAP_SEARCH_BASE",
                              filter=PREFIX + "LDAP_SEARCH_FILTER")
        template = settings.user_dn or settings.search_filter
        if "{login}" not in template:
            raise ConfigError(N_("%(name)s must contain {login}"),
                              name=PREFIX + ("LDAP_USER_DN" if settings.user_dn else "LDAP_SEARCH_FILTER"))
        return settings


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
    service_user: str | None = None  # the account the service runs as; the CLI run as root becomes it
    log_format: str = "text"  # or "json": one JSON object per line
    log_level: str = "INFO"
    cups_backend_dir: Path = Path("/usr/lib/cups/backend")
    server_url: str = "http://127.0.0.1:8631"  # where the CUPS backend and the stations reach the server
    station_seen_within: timedelta = timedelta(hours=24)  # doctor: a station quieter than this is reported
    config_file: Path | None = None  # the file these settings were read from, if any
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
    capture_attempts: int = 3  # failed captures of one CUPS job before it is refused instead of retried
    analysis_workers: int = 2  # processes counting pages at capture
    analysis_memory_mb: int = 512  # address space of each of them
    analysis_seconds: float = 30.0  # time one document may take to count
    colour_memory_mb: int = 1024  # Ghostscript's address space when measuring colour pages
    colour_seconds: float = 120.0  # and its time per document
    trusted_proxies: int = 0  # reverse proxies in front of the server whose X-Forwarded-For is believed
    web_workers: int = 1  # gunicorn worker processes; one per core serves the most pages
    ldap: LdapSettings | None = None  # a directory to log in with; None: local passwords only
    metrics_token_sha256: str | None = None  # /metrics: a bearer token's SHA-256; None: loopback only
    access_log: bool = True  # the web server logs one line per request

    @property
    def idle_transaction_seconds(self) -> float:
        """How long PostgreSQL lets a session sit idle inside a transaction: a process that does so for
        two leases has stopped, and the row locks it holds must not keep its peers from recovering."""
        return max(2 * self.release_lease.total_seconds(), 10.0)

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
    def from_env(cls, environ=None, **overrides) -> "Settings":
        """Read the configuration file and the environment; explicit keyword overrides win (the CLI passes
        its options here)."""
        values, path = environment(os.environ if environ is None else environ)

        def get(name, default=None):
            return values.get(PREFIX + name, default)

        settings = cls(
            data_dir=Path(get("DATA_DIR", "var")),
            database_url=get("DATABASE_URL") or None,
            hold_time=_duration(values, "HOLD_HOURS", "24", "hours"),
            max_job_bytes=_number(values, "MAX_JOB_BYTES", str(1024**3), int),
            cups_server=get("CUPS_SERVER") or os.environ.get("CUPS_SERVER") or None,
            capture_queue=get("CAPTURE_QUEUE", "secure-print"),
            secret_key=get("SECRET_KEY") or None,
            card_key=get("CARD_KEY") or None,
            claim_window=_duration(values, "CLAIM_WINDOW_MINUTES", "10", "minutes"),
            sweep_interval=_number(values, "SWEEP_INTERVAL", "30"),
            auto_create_users=get("AUTO_CREATE_USERS", "1") not in ("0", "false", "no"),
            secure_cookies=get("SECURE_COOKIES", "0") in ("1", "true", "yes"),
            service_user=get("USER") or None,
            log_format=_choice(values, "LOG_FORMAT", "text", ("text", "json")),
            log_level=_choice(values, "LOG_LEVEL", "INFO", LOG_LEVELS).upper(),
            cups_backend_dir=Path(get("CUPS_BACKEND_DIR", "/usr/lib/cups/backend")),
            server_url=get("SERVER_URL") or "http://127.0.0.1:8631",
            station_seen_within=_duration(values, "STATION_SEEN_HOURS", "24", "hours"),
            release_lease=_duration(values, "RELEASE_LEASE_SECONDS", "30", "seconds"),
            start_timeout=_duration(values, "START_TIMEOUT_SECONDS", "180", "seconds"),
            printer_poll_interval=_number(values, "PRINTER_POLL_SECONDS", "60"),
            device_timeout=_number(values, "DEVICE_TIMEOUT_SECONDS", "2", least=0),
            config_file=path,
            currency=(get("CURRENCY") or "KRW").upper(),
            timezone=_zone(values, "TIMEZONE", "Asia/Seoul"),
            co2_grams_per_sheet=_number(values, "CO2_GRAMS_PER_SHEET", "12.7", Decimal, least=0),
            sheets_per_tree=_number(values, "SHEETS_PER_TREE", "8333", int),
            large_format_clicks=_number(values, "LARGE_FORMAT_CLICKS", "2", int),
            report_language=get("REPORT_LANGUAGE") or "ko",
            monthly_reports_dir=Path(get("MONTHLY_REPORTS_DIR")) if get("MONTHLY_REPORTS_DIR") else None,
            monthly_reports_mail_to=get("MONTHLY_REPORTS_MAIL_TO") or None,
            smtp_host=get("SMTP_HOST") or None,
            smtp_port=_number(values, "SMTP_PORT", "25", int, most=65535),
            smtp_user=get("SMTP_USER") or None,
            smtp_password=get("SMTP_PASSWORD") or None,
            smtp_starttls=get("SMTP_STARTTLS", "0") in ("1", "true", "yes"),
            smtp_from=get("SMTP_FROM") or "printrelease@localhost",
            capture_attempts=_number(values, "CAPTURE_ATTEMPTS", "3", int),
            analysis_workers=_number(values, "ANALYSIS_WORKERS", "2", int),
            analysis_memory_mb=_number(values, "ANALYSIS_MEMORY_MB", "512", int),
            analysis_seconds=_number(values, "ANALYSIS_SECONDS", "30"),
            colour_memory_mb=_number(values, "COLOUR_MEMORY_MB", "1024", int),
            colour_seconds=_number(values, "COLOUR_SECONDS", "120"),
            trusted_proxies=_number(values, "TRUSTED_PROXIES", "0", int, least=0),
            web_workers=_number(values, "WEB_WORKERS", "1", int),
            ldap=LdapSettings.from_values(values),
            metrics_token_sha256=_token_hash(values, "METRICS_TOKEN"),
            access_log=get("ACCESS_LOG", "1") not in ("0", "false", "no"),
        )
        return replace(settings, **{k: v for k, v in overrides.items() if v is not None})
