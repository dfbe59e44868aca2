"""Managing stations, and what a tap on one does: identify the card, check it, release, log."""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field, replace
from datetime import timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from printrelease import metrics
from printrelease.accounts.models import User
from printrelease.accounts.pins import verify_pin
from printrelease.cards import numbers
from printrelease.cards.service import claim_code_hash, find_card, mask_claim_code, new_claim_code
from printrelease.credentials.service import issue_token, revoke
from printrelease.db import relaxed, utcnow
from printrelease.errors import Invalid
from printrelease.events import event as log_event
from printrelease.i18n import LANGUAGES
from printrelease.jobs.models import Job, JobState
from printrelease.printers.service import get_printer
from printrelease.release.errors import PrinterUnavailable
from printrelease.release.service import Releaser
from printrelease.stations.errors import BadReleaseMode, StationExists, TapIdReused, UnknownStation
from printrelease.stations.models import RELEASE_MODES, Station, Tap, TapOutcome
from printrelease.stations.wording import wording

STATION = "station"


def add_station(session: Session, name: str, printer_name: str, require_pin: bool = False,
                release_mode: str = "all") -> tuple[Station, str]:
    """Create a station at a printer; returns it with its token, which is shown once and never stored."""
    if session.scalar(select(Station).where(Station.name == name)) is not None:
        raise StationExists(name)
    printer = get_printer(session, printer_name)
    credential, token = issue_token(session, STATION, name)
    station = Station(name=name, printer=printer, credential=credential, require_pin=require_pin,
                      release_mode=_check_mode(release_mode))
    session.add(station)
    session.flush()
    return station, token


def get_station(session: Session, name: str) -> Station:
    station = session.scalar(select(Station).where(Station.name == name))
    if station is None:
        raise UnknownStation(name)
    return station


def list_stations(session: Session) -> list[Station]:
    return list(session.scalars(select(Station).order_by(Station.name)).unique())


def last_taps(session: Session) -> dict[int, Tap]:
    """Each station's most recent tap, by station id: a station that has gone quiet may need a look."""
    latest = select(Tap.station_id, func.max(Tap.id).label("id")).group_by(Tap.station_id).subquery()
    taps = session.scalars(select(Tap).join(latest, Tap.id == latest.c.id)).unique()
    return {tap.station_id: tap for tap in taps}


def _check_mode(mode: str) -> str:
    if mode not in RELEASE_MODES:
        raise BadReleaseMode(mode=str(mode)[:20], modes=", ".join(RELEASE_MODES))
    return mode


def set_release_mode(session: Session, name: str, mode: str) -> Station:
    """"all": a tap releases every held job; "choose": a tap shows the person's jobs on the kiosk."""
    station = get_station(session, name)
    station.release_mode = _check_mode(mode)
    return station


def set_station_printer(session: Session, name: str, printer_name: str) -> Station:
    """Move the station to another (enabled) printer: its taps release there from now on, and its kiosks
    stay paired with it."""
    station = get_station(session, name)
    station.printer = get_printer(session, printer_name)
    return station


def stations_at(session: Session, printer_name: str) -> list[Station]:
    """The stations whose taps release to the printer (which cannot be removed while they do)."""
    printer = get_printer(session, printer_name, active_only=False)
    return list(session.scalars(select(Station).where(Station.printer_id == printer.id).order_by(Station.name))
                .unique())


def remove_station(session: Session, name: str) -> None:
    station = get_station(session, name)
    revoke(session, STATION, name)
    session.delete(station)


def station_for_credential(session: Session, credential_id: int) -> Station:
    station = session.scalar(select(Station).where(Station.credential_id == credential_id))
    if station is None:
        raise UnknownStation(f"credential {credential_id}")
    return station


@dataclass
class TapResult:
    outcome: TapOutcome
    message: str
    display_name: str = ""
    jobs: int = 0
    pages: int = 0
    last4: str = ""
    printer: str = ""
    why: dict[str, str] | None = None  # for printer_unavailable: the reason in each language
    station: str = ""
    # An unknown card's one-time code: for the person at the reader (display, agent log), who gives it
    # with the station's name to claim the card. Only its keyed hash is stored, on the tap's row.
    claim_code: str = ""
    claim_code_hash: str | None = field(default=None, repr=False)
    claim_code_masked: str | None = field(default=None, repr=False)  # what the kiosk shows, unmasked

    def as_dict(self) -> dict:
        data = asdict(self)
        del data["claim_code_hash"], data["claim_code_masked"]
        data["outcome"] = self.outcome.value
        data["say"] = wording(self.outcome.value, self.display_name, self.jobs, self.pages, self.printer, self.why,
                              station=self.station, code=self.claim_code)
        return data

    @classmethod
    def from_answer(cls, answer: str) -> "TapResult":
        data = json.loads(answer)
        data.pop("say", None)
        return cls(**{**data, "outcome": TapOutcome(data["outcome"])})


@dataclass
class TapPolicy:
    unknown_taps_per_minute: int = 5
    wrong_pins_per_15_minutes: int = 5
    start_within: float = 5.0  # seconds: a release that cannot start by then releases nothing
    answer_wait: float = 60.0  # seconds a repeated request waits for the first one's answer


class TapService:
    """Turns a card UID read at a station into a release (or a refusal with its reason).

    Like the releaser it spans several transactions, so it takes a session factory: the tap is looked
    up and checked in one, the release commits its own steps, and the tap is logged in a last one.
    """

    def __init__(self, sessions: sessionmaker, releaser: Releaser, card_key: bytes, policy: TapPolicy | None = None):
        self.sessions, self.releaser, self.card_key = sessions, releaser, card_key
        self.policy = policy or TapPolicy()

    def tap(self, station_id: int, uid: str, pin: str | None = None, request_id: str | None = None) -> TapResult:
        """Answer a tap. A `request_id` seen before gets the first answer again, never a second release."""
        started, tap_id = time.monotonic(), None
        if request_id is not None:
            first = self._begin(station_id, request_id, self._digest(uid))
            if isinstance(first, TapResult):
                return first  # a repeat of a tap, measured once, when it was first answered
            tap_id = first
        outcome = "error"
        try:
            result = self._answer(station_id, uid, pin, tap_id)
            outcome = result.outcome.value
            return result
        finally:
            metrics.tap_answered(outcome, time.monotonic() - started)

    def _answer(self, station_id: int, uid: str, pin: str | None, tap_id: int | None) -> TapResult:
        try:
            canonical = numbers.from_hex(uid)
        except Invalid as error:
            result = TapResult(TapOutcome.UNKNOWN_CARD, str(error))
            with self.sessions.begin() as session:
                self._log(session, tap_id, station_id, "", "", None, result)
            return result
        digest, last4 = numbers.card_hash(self.card_key, canonical), numbers.last4(canonical)
        with self.sessions.begin() as session:
            station = session.get(Station, station_id)
            printer_name, station_name = station.printer.name, station.name
            result, user = self._check(session, station, canonical, last4, pin)
            if result is None and station.release_mode == "choose":
                result = self._identify(session, user, last4)  # the kiosk lets them choose; nothing released
            if result is not None:
                result.printer = printer_name
                self._log(session, tap_id, station_id, digest, last4, user.id if user else None, result)
                return result
            user_id, login, display_name = user.id, user.login, user.display_name
        try:
            released = self.releaser.release(login, printer_name, actor=f"station:{station_name}",
                                             start_within=self.policy.start_within)
        except PrinterUnavailable as error:
            result = TapResult(TapOutcome.PRINTER_UNAVAILABLE, str(error), display_name, last4=last4,
                               why={language: error.why_words(language) for language in LANGUAGES})
        else:
            if released.released:
                result = TapResult(TapOutcome.RELEASED, f"{len(released.released)} job(s), {released.pages} "
                                   f"page(s) sent to {printer_name}", display_name, len(released.released),
                                   released.pages, last4)
            else:
                result = TapResult(TapOutcome.NOTHING_TO_PRINT, "no held jobs", display_name, last4=last4)
        result.printer = printer_name
        with relaxed(self.sessions) as session:  # a tap's record: the jobs' own steps are on disk
            self._log(session, tap_id, station_id, digest, last4, user_id, result)
        return result

    def _digest(self, uid: str) -> str:
        """The card's keyed hash, as a tap's row keeps it ("" for a UID that is no card number)."""
        try:
            return numbers.card_hash(self.card_key, numbers.from_hex(uid))
        except Invalid:
            return ""

    def _begin(self, station_id: int, request_id: str, digest: str) -> int | TapResult:
        """Record that this request is being answered (the row's id), or the answer to its first copy.

        The card is noted at once: a repeat must be of the same card, or it would be given (and shown at
        the reader) another person's answer.
        """
        try:
            # Need not wait for the disk: after a power cut the jobs' own steps still say what printed.
            with relaxed(self.sessions) as session:
                row = Tap(station_id=station_id, card_hash=digest, last4="", outcome=TapOutcome.PENDING,
                          request_id=request_id)
                session.add(row)
                session.flush()
                return row.id
        except IntegrityError:
            pass
        deadline = time.monotonic() + self.policy.answer_wait
        while True:
            with self.sessions() as session:
                first = session.execute(select(Tap.answer, Tap.card_hash).where(
                    Tap.station_id == station_id, Tap.request_id == request_id)).first()
            if first is not None and first.card_hash != digest:
                raise TapIdReused(request_id)
            answer = first.answer if first is not None else None
            if answer is not None:
                return TapResult.from_answer(answer)
            if time.monotonic() > deadline:
                return TapResult(TapOutcome.PENDING, "this tap is still being answered")
            time.sleep(0.1)  # the first copy's release is running in another request

    def _check(self, session: Session, station: Station, canonical: str, last4: str, pin: str | None):
        card = find_card(session, self.card_key, canonical)
        if card is None:
            recent = session.scalar(
                select(func.count()).select_from(Tap).where(
                    Tap.station_id == station.id, Tap.outcome.in_([TapOutcome.UNKNOWN_CARD, TapOutcome.RATE_LIMITED]),
                    Tap.at >= utcnow() - timedelta(minutes=1)))
            if recent >= self.policy.unknown_taps_per_minute:
                return TapResult(TapOutcome.RATE_LIMITED, "too many unknown cards here; wait a minute",
                                 last4=last4), None
            code = new_claim_code()
            code_hash = claim_code_hash(self.card_key, numbers.card_hash(self.card_key, canonical), code)
            # The message is logged on the tap's row: the code is not in it.
            return TapResult(TapOutcome.UNKNOWN_CARD, "this card is not registered; to claim it, log in and give "
                             "this station's name and the code shown here", last4=last4, station=station.name,
                             claim_code=code, claim_code_hash=code_hash,
                             claim_code_masked=mask_claim_code(self.card_key, code_hash, code)), None
        user = card.user
        if not user.is_active:
            return TapResult(TapOutcome.CARD_DISABLED, "this account is disabled", user.display_name,
                             last4=last4), user
        if user.pin_hash or station.require_pin:
            refusal = self._check_pin(session, user, station, pin, last4)
            if refusal is not None:
                return refusal, user
        return None, user

    @staticmethod
    def _identify(session: Session, user: User, last4: str) -> TapResult:
        jobs, pages = session.execute(
            select(func.count(Job.id), func.coalesce(func.sum(Job.pages * Job.copies), 0))
            .where(Job.owner_id == user.id, Job.state == JobState.HELD,
                   or_(Job.expires_at.is_(None), Job.expires_at > utcnow()))).one()
        return TapResult(TapOutcome.IDENTIFIED, f"{jobs} held job(s); the kiosk shows them", user.display_name,
                         jobs, pages, last4)

    def _check_pin(self, session: Session, user, station: Station, pin: str | None, last4: str):
        wrong = session.scalar(
            select(func.count()).select_from(Tap).where(
                Tap.user_id == user.id, Tap.outcome == TapOutcome.WRONG_PIN,
                Tap.at >= utcnow() - timedelta(minutes=15)))
        if wrong >= self.policy.wrong_pins_per_15_minutes:
            return TapResult(TapOutcome.RATE_LIMITED, "too many wrong PINs; try again later", user.display_name,
                             last4=last4)
        if not user.pin_hash:
            return TapResult(TapOutcome.PIN_REQUIRED, "this station needs a PIN and you have none set",
                             user.display_name, last4=last4)
        if pin is None:
            return TapResult(TapOutcome.PIN_REQUIRED, "enter your PIN", user.display_name, last4=last4)
        if not verify_pin(pin, user.pin_hash):
            return TapResult(TapOutcome.WRONG_PIN, "wrong PIN", user.display_name, last4=last4)
        return None

    @staticmethod
    def _log(session: Session, tap_id: int | None, station_id: int, digest: str, last4: str, user_id,
             result: TapResult) -> None:
        """Keep the tap and its answer: on its pending row when the agent gave a request id.

        The answer is kept without an unknown card's claim code (only its keyed hash is kept): a repeated
        request gets the answer without it, and the person at the reader taps again for a new one.
        """
        tap = session.get(Tap, tap_id) if tap_id is not None else None
        if tap is None:
            tap = Tap(station_id=station_id)
            session.add(tap)
        tap.card_hash, tap.last4, tap.user_id, tap.outcome = digest, last4, user_id, result.outcome
        tap.jobs, tap.pages, tap.detail = result.jobs, result.pages, result.message[:1000]
        tap.claim_code_hash, tap.claim_code_masked = result.claim_code_hash, result.claim_code_masked
        # Worded without the code too: "say" would otherwise carry it into the stored answer.
        tap.answer = json.dumps(replace(result, claim_code="").as_dict(), ensure_ascii=False)
        station, user = session.get(Station, station_id), session.get(User, user_id) if user_id else None
        log_event("tap", station=station.name if station else station_id, printer=result.printer or None,
                  card=f"…{last4}" if last4 else None, user=user.login if user else None,
                  outcome=result.outcome.value, jobs=result.jobs, pages=result.pages, detail=result.message)
