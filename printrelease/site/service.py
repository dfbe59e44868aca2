"""Reading and changing the site settings; the caller commits.

A setting stored here wins over the configuration's value; removing it (`reset_setting`) brings the
configuration's value back. Capture reads them through `SiteSettingsCache`, so that a change reaches
every server process within a few seconds without a query per captured job.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from printrelease.config import Settings
from printrelease.db import utcnow
from printrelease.i18n import N_
from printrelease.site.errors import BadSettingValue, UnknownSetting
from printrelease.site.models import SiteSetting

MIB = 1024 * 1024
SIZE = re.compile(r"^\s*(\d+)\s*([kmg]i?b?|b)?\s*$", re.IGNORECASE)
UNITS = {"": 1, "b": 1, "k": 1024, "m": MIB, "g": 1024 * MIB}


@dataclass(frozen=True)
class SiteValues:
    """The settings in force: the configuration's, overridden by those stored in the database."""

    hold_time: timedelta
    max_job_bytes: int
    overridden: frozenset[str] = frozenset()  # names stored in the database


def _hours(text: str) -> str:
    try:
        hours = float(text)
    except ValueError:
        hours = -1
    if not 0.25 <= hours <= 24 * 90:
        raise BadSettingValue(name="hold_hours", value=text[:40], expected=N_("hours from 0.25 to 2160"))
    return f"{hours:g}"


def _bytes(text: str) -> str:
    match = SIZE.match(text)
    if match is None:
        raise BadSettingValue(name="max_job_bytes", value=text[:40], expected=N_("a size such as 200M or 1G"))
    size = int(match.group(1)) * UNITS[(match.group(2) or "")[:1].lower()]
    if not MIB <= size <= 64 * 1024 * MIB:
        raise BadSettingValue(name="max_job_bytes", value=text[:40], expected=N_("from 1M to 64G"))
    return str(size)


# name -> (checks and normalises a value given as text)
EDITABLE = {"hold_hours": _hours, "max_job_bytes": _bytes}


def _check_name(name: str) -> str:
    if name not in EDITABLE:
        raise UnknownSetting(name=name[:64], names=", ".join(EDITABLE))
    return name


def stored_settings(session: Session) -> dict[str, SiteSetting]:
    return {row.name: row for row in session.scalars(select(SiteSetting))}


def site_values(session: Session, settings: Settings) -> SiteValues:
    """The settings in force now (read without a cache)."""
    stored = {name: row.value for name, row in stored_settings(session).items() if name in EDITABLE}
    hold = timedelta(hours=float(stored["hold_hours"])) if "hold_hours" in stored else settings.hold_time
    size = int(stored["max_job_bytes"]) if "max_job_bytes" in stored else settings.max_job_bytes
    return SiteValues(hold, size, frozenset(stored))


def set_setting(session: Session, name: str, value: str, actor: str = "") -> SiteSetting:
    """Store a setting (it then overrides the configuration); returns the row with the value as stored."""
    normalised = EDITABLE[_check_name(name)](str(value))
    row = session.get(SiteSetting, name)
    if row is None:
        row = SiteSetting(name=name)
        session.add(row)
    row.value, row.updated_at, row.updated_by = normalised, utcnow(), actor[:255]
    session.flush()
    return row


def reset_setting(session: Session, name: str) -> bool:
    """Forget the stored value: the configuration's applies again. False if none was stored."""
    return session.execute(delete(SiteSetting).where(SiteSetting.name == _check_name(name))).rowcount > 0


class SiteSettingsCache:
    """The settings in force, read at most once every `ttl` seconds per process (capture asks for every job)."""

    def __init__(self, sessions: sessionmaker, settings: Settings, ttl: float = 5.0):
        self._sessions, self._settings, self._ttl = sessions, settings, ttl
        self._lock = threading.Lock()
        self._values: SiteValues | None = None
        self._read_at = 0.0

    def values(self) -> SiteValues:
        with self._lock:
            if self._values is not None and time.monotonic() - self._read_at < self._ttl:
                return self._values
        with self._sessions() as session:
            values = site_values(session, self._settings)
        with self._lock:
            self._values, self._read_at = values, time.monotonic()
        return values

    def forget(self) -> None:
        """Read again at the next call (after this process changed a setting)."""
        with self._lock:
            self._values = None
