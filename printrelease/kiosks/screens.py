"""What a kiosk shows now, what it may do for the person shown, and ending it; the caller commits.

A kiosk shows its station's latest tap for `KIOSK_WINDOW` after it was made, until another tap at that
station or until it is ended ("done"): the person a "choose" station identified (`KioskVisitor`), an
unknown card's one-time claim code (`UnknownCardTap`), or the outcome of any other tap (`TapShown`:
released at an "all" station, nothing to print, card disabled, PIN needed, printer unavailable, still
being answered). Kiosks poll for it twice a second: `screen_version` answers in one statement whether
anything changed, so that an unchanged screen is answered without being looked up or drawn.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Iterable, Union

from sqlalchemy import and_, bindparam, func, or_, select, update
from sqlalchemy.orm import Session, aliased, lazyload

from printrelease.accounts.models import User
from printrelease.cards.service import unmask_claim_code
from printrelease.credentials.models import ApiToken
from printrelease.db import utcnow
from printrelease.jobs.errors import UnknownJob
from printrelease.jobs.models import Job, JobState
from printrelease.kiosks.errors import ScreenChanged
from printrelease.kiosks.models import Kiosk
from printrelease.prices.models import Price
from printrelease.printers.models import Printer
from printrelease.stations.models import Station, Tap, TapOutcome
from printrelease.stations.service import TapResult
from printrelease.stations.wording import wording

KIOSK_WINDOW = timedelta(seconds=60)  # how long a kiosk shows a tap (a person, a code, an outcome)


@dataclass(frozen=True)
class KioskVisitor:
    """The person a kiosk shows: the one whose tap at its station identified them a moment ago."""

    tap_id: int
    user_id: int
    login: str
    display_name: str
    tapped_at: datetime
    ends_at: datetime
    held_jobs: int  # at the tap; the kiosk lists them with `myjobs.views.held_jobs`


@dataclass(frozen=True)
class UnknownCardTap:
    """An unknown card was just tapped at the kiosk's station: the kiosk shows its one-time claim code."""

    tap_id: int
    last4: str
    claim_code: str
    station: str
    tapped_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class TapShown:
    """Any other tap just made at the kiosk's station: what happened, worded as the station's answer was."""

    tap_id: int
    outcome: str  # a TapOutcome value
    display_name: str
    jobs: int
    pages: int
    say: tuple[tuple[str, str], ...]  # ((language, words), ...): frozen, so that screens compare and hash
    tapped_at: datetime
    ends_at: datetime

    def words(self, language: str) -> str:
        return dict(self.say).get(language, self.say[0][1])


Shown = Union[KioskVisitor, UnknownCardTap, TapShown, None]


def _latest_tap(session: Session, station_id: int, within: timedelta) -> Tap | None:
    # Without the station's joins: a kiosk asks this every half second.
    return session.scalar(select(Tap).options(lazyload(Tap.station))
                          .where(Tap.station_id == station_id, Tap.at >= utcnow() - within)
                          .order_by(Tap.at.desc(), Tap.id.desc()).limit(1))


def current_kiosk_user(session: Session, station_id: int, within: timedelta = KIOSK_WINDOW,
                       tap_id: int | None = None) -> KioskVisitor | None:
    """Who the station's kiosk shows now: the person of the station's latest tap if that tap identified
    them (a "choose" station), was less than `within` ago and was not ended. Any later tap at the station
    (someone else's card, an unknown one) ends it. With `tap_id`, only if that tap is still the one shown:
    a kiosk acting for a person passes the tap it showed, so a new tap is never acted on by mistake."""
    return _visitor(session, _latest_tap(session, station_id, within), within, tap_id)


def _visitor(session: Session, tap: Tap | None, within: timedelta, tap_id: int | None = None) -> KioskVisitor | None:
    if (tap is None or tap.outcome != TapOutcome.IDENTIFIED or tap.ended_at is not None or tap.user_id is None
            or (tap_id is not None and tap.id != tap_id)):
        return None
    user = session.get(User, tap.user_id)
    if user is None or not user.is_active:
        return None
    return KioskVisitor(tap.id, user.id, user.login, user.display_name, tap.at, tap.at + within, tap.jobs)


def _shown_tap(tap: Tap, within: timedelta) -> TapShown:
    if tap.answer:
        result = TapResult.from_answer(tap.answer)
        say = result.as_dict()["say"]
        name, jobs, pages = result.display_name, result.jobs, result.pages
    else:  # the tap's release is still running: its row exists, its answer not yet
        say, name, jobs, pages = wording(tap.outcome.value), "", 0, 0
    return TapShown(tap.id, tap.outcome.value, name, jobs, pages, tuple(say.items()), tap.at, tap.at + within)


def kiosk_view(session: Session, station_id: int, card_key: bytes, within: timedelta = KIOSK_WINDOW) -> Shown:
    """What the station's kiosk shows now: the person who was identified, the claim code of an unknown
    card just tapped (until it is claimed or ended), the outcome of any other tap, or nothing (idle)."""
    tap = _latest_tap(session, station_id, within)
    if tap is None or tap.ended_at is not None:
        return None
    if tap.outcome == TapOutcome.IDENTIFIED:
        return _visitor(session, tap, within)
    if tap.outcome == TapOutcome.UNKNOWN_CARD:
        if tap.claim_code_masked and tap.claim_code_hash and tap.claimed_by_id is None:
            code = unmask_claim_code(card_key, tap.claim_code_hash, tap.claim_code_masked)
            return UnknownCardTap(tap.id, tap.last4, code, tap.station.name, tap.at, tap.at + within)
        if tap.claimed_by_id is not None:
            return None  # its owner has it now: nothing more to say at the printer
    return _shown_tap(tap, within)


@dataclass(frozen=True)
class KioskScreen:
    """What a kiosk's screen is drawn from."""

    kiosk_id: int
    station: str
    release_mode: str
    printer: str
    location: str
    shown: Shown


def kiosk_screen(session: Session, kiosk: Kiosk, card_key: bytes, within: timedelta = KIOSK_WINDOW) -> KioskScreen:
    """What `kiosk` (loaded with its station and printer) shows now."""
    station = kiosk.station
    return KioskScreen(kiosk.id, station.name, station.release_mode, station.printer.name, station.printer.location,
                       kiosk_view(session, station.id, card_key, within))


@dataclass(frozen=True)
class ScreenVersion:
    kiosk_id: int
    last_seen_at: datetime | None
    version: str  # changes whenever the kiosk's screen would


def screen_version(session: Session, credential_id: int, within: timedelta = KIOSK_WINDOW) -> ScreenVersion | None:
    """The version of the screen of the kiosk holding this credential, in one statement (None: no such
    kiosk, or unpaired). Taken from everything the screen is drawn from: the station and its printer;
    the station's latest tap in the window (so the version changes with a new tap, its answer, "done",
    a claim and the window's end) and that person's account; the number and last change of their held
    jobs, and the latest price (the costs shown)."""
    now = utcnow()
    row = session.execute(_version_query(), {"credential": credential_id, "since": now - within, "now": now}).first()
    if row is None:
        return None
    return ScreenVersion(row[0], row[1], hashlib.sha256(repr(tuple(row[2:])).encode()).hexdigest()[:24])


@functools.cache
def _version_query():
    # Built once: making a statement this size costs more than running it.
    recent, now = aliased(Tap), bindparam("now", type_=Job.expires_at.type)
    latest = (select(recent.id).where(recent.station_id == Kiosk.station_id,
                                      recent.at >= bindparam("since", type_=Tap.at.type))
              .order_by(recent.at.desc(), recent.id.desc()).limit(1).correlate(Kiosk).scalar_subquery())
    held = and_(Job.owner_id == Tap.user_id, Job.state == JobState.HELD,
                or_(Job.expires_at.is_(None), Job.expires_at > now))
    return (select(Kiosk.id, Kiosk.last_seen_at, Station.name, Station.release_mode, Printer.name, Printer.location,
                   Printer.is_active, Tap.id, Tap.outcome, Tap.ended_at, Tap.claimed_by_id, Tap.user_id, Tap.jobs,
                   Tap.pages, Tap.at, User.is_active, User.display_name,
                   select(func.count(Job.id)).where(held).correlate(Tap).scalar_subquery(),
                   select(func.max(Job.updated_at)).where(held).correlate(Tap).scalar_subquery(),
                   select(func.max(Price.id)).scalar_subquery())
            .join(ApiToken, ApiToken.id == Kiosk.credential_id).join(Station, Station.id == Kiosk.station_id)
            .join(Printer, Printer.id == Station.printer_id)
            .outerjoin(Tap, Tap.id == latest).outerjoin(User, User.id == Tap.user_id)
            .where(Kiosk.credential_id == bindparam("credential"), ApiToken.revoked.is_(False)))


def _not_expired():
    return or_(Job.expires_at.is_(None), Job.expires_at > utcnow())


def visitor_for(session: Session, station_id: int, tap_id: int, within: timedelta = KIOSK_WINDOW) -> KioskVisitor:
    """The person the kiosk acts for, if the tap it showed (`tap_id`) is still the one shown at its
    station; raises ScreenChanged otherwise (a new tap, "done", the window passed, the user disabled)."""
    visitor = current_kiosk_user(session, station_id, within, tap_id)
    if visitor is None:
        raise ScreenChanged()
    return visitor


def visitor_jobs(session: Session, visitor: KioskVisitor, job_ids: Iterable[int]) -> list[int]:
    """The job ids (in the order given, once each) if every one is the visitor's; raises UnknownJob for
    the first that is not, before anything is done, so that a form naming someone else's job does nothing."""
    wanted = list(dict.fromkeys(job_ids))
    own = set(session.scalars(select(Job.id).where(Job.id.in_(wanted), Job.owner_id == visitor.user_id)))
    for job_id in wanted:
        if job_id not in own:
            raise UnknownJob(job_id)
    return wanted


def end_kiosk_session(session: Session, station_id: int, tap_id: int) -> bool:
    """The person is done (or walked away, or noted the claim code): the kiosk goes back to idle. False if
    it had ended already, or the tap is not the station's."""
    result = session.execute(
        update(Tap).where(Tap.id == tap_id, Tap.station_id == station_id, Tap.ended_at.is_(None))
        .values(ended_at=utcnow()).execution_options(synchronize_session=False))
    return result.rowcount == 1
