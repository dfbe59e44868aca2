"""When each station was last heard from: its agent's heartbeat, so a silent reader can be noticed."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session

from printrelease.db import utcnow
from printrelease.stations.models import Station


def mark_seen(session: Session, station_id: int) -> None:
    session.execute(update(Station).where(Station.id == station_id).values(last_seen_at=utcnow()))


def last_heard(station: Station, last_tap_at: datetime | None) -> datetime | None:
    """The later of the station's heartbeat and its last tap."""
    times = [t for t in (station.last_seen_at, last_tap_at) if t is not None]
    return max(times) if times else None


def is_quiet(station: Station, last_tap_at: datetime | None, within: timedelta) -> bool:
    heard = last_heard(station, last_tap_at)
    return heard is None or utcnow() - heard > within
