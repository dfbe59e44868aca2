"""The site's calendar (PRINTRELEASE_TIMEZONE): local days and months against the UTC instants stored."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from printrelease.errors import Invalid
from printrelease.i18n import N_


class UnknownTimezone(Invalid):
    code = "unknown_timezone"
    template = N_("unknown time zone: %(zone)s")


@lru_cache(maxsize=None)
def site_zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise UnknownTimezone(zone=name) from error


def start_of_day(day: date, zone: str) -> datetime:
    """The UTC instant at which `day` begins on the site's clock."""
    return datetime.combine(day, time(0), tzinfo=site_zone(zone)).astimezone(timezone.utc)


def local_date(instant: datetime, zone: str) -> date:
    return instant.astimezone(site_zone(zone)).date()


def local_now(zone: str, now: datetime | None = None) -> datetime:
    return (now or datetime.now(timezone.utc)).astimezone(site_zone(zone))


def bounds(first: date, last: date, zone: str) -> tuple[datetime, datetime]:
    """[start, end) in UTC of the local days `first` to `last`, both included."""
    return start_of_day(first, zone), start_of_day(last + timedelta(days=1), zone)


def month_of(day: date) -> tuple[date, date]:
    """First and last day of the month `day` is in."""
    first = day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following - timedelta(days=1)


def previous_month(today: date) -> tuple[date, date]:
    return month_of(today.replace(day=1) - timedelta(days=1))


def offsets(zone: str, start: datetime, end: datetime) -> list[tuple[datetime, int]]:
    """The zone's UTC offset in seconds over [start, end): (from when, offset) pieces, first from `start`.

    SQLite knows no time zones, so the reports turn a stored UTC time into a local one by adding the
    offset of the piece it falls in (one piece for Asia/Seoul, two or three a year where clocks change).
    """
    tz = site_zone(zone)

    def offset(at: datetime) -> int:
        return int(at.astimezone(tz).utcoffset().total_seconds())

    pieces = [(start, offset(start))]
    at = start
    while at < end:
        step = min(at + timedelta(days=1), end)
        if offset(step) != pieces[-1][1]:
            low, high = at, step  # the change is in (low, high]: find its minute
            while high - low > timedelta(minutes=1):
                middle = low + (high - low) / 2
                low, high = (middle, high) if offset(middle) == pieces[-1][1] else (low, middle)
            pieces.append((high.replace(second=0, microsecond=0), offset(high)))
        at = step
    return pieces
