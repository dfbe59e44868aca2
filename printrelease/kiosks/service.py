"""Pairing kiosks with stations, and who a kiosk is showing right now; the caller commits.

An administrator makes a pairing code for a station (`create_pairing_code`); the kiosk presents it once
(`pair_kiosk`) and gets a long-lived credential bound to that station, which it sends with every request
instead of the station's own API token (which never appears in a kiosk's URL or storage). Codes and
credentials are kept as SHA-256 hashes only. A pairing code is single use by a guarded UPDATE, so two
kiosks racing with one code get one credential between them.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from printrelease.accounts.models import User
from printrelease.cards.service import unmask_claim_code
from printrelease.credentials.service import BadCredentials, authenticate, issue_token
from printrelease.db import utcnow
from printrelease.kiosks.errors import BadPairingCode, UnknownKiosk
from printrelease.kiosks.models import Kiosk, KioskPairing
from printrelease.stations.models import Station, Tap, TapOutcome
from printrelease.stations.service import get_station

KIOSK = "kiosk"  # the kind of ApiToken a kiosk holds
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: typed on a touchscreen from a phone or paper
CODE_LENGTH = 8  # 40 bits, valid for minutes and once: not guessable in time at any request rate
PAIRING_VALID = timedelta(minutes=5)
KIOSK_WINDOW = timedelta(seconds=60)  # how long a kiosk shows a person after their tap
SEEN_EVERY = timedelta(minutes=1)


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def normalise_code(code: str) -> str:
    """A code as typed ("abcd-2345", " ABCD 2345 ") in the form it was made."""
    return "".join(ch for ch in str(code).upper() if ch.isalnum())[:64]


def create_pairing_code(session: Session, station_name: str, actor: str = "",
                        valid_for: timedelta = PAIRING_VALID) -> tuple[KioskPairing, str]:
    """A one-time code to pair a kiosk with the station; returns it shown as ABCD-EFGH, never stored."""
    station = get_station(session, station_name)
    code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    now = utcnow()
    pairing = KioskPairing(station_id=station.id, code_hash=_hash(code), created_at=now, created_by=actor[:255],
                           expires_at=now + valid_for)
    session.add(pairing)
    session.flush()
    return pairing, f"{code[:4]}-{code[4:]}"


def pair_kiosk(session: Session, code: str, label: str = "", address: str = "") -> tuple[Kiosk, str]:
    """Use a pairing code: returns the new kiosk and its credential (shown once; only its hash is kept).

    Raises BadPairingCode for a code that is unknown, used or expired, alike.
    """
    now = utcnow()
    station_id = session.execute(
        update(KioskPairing)
        .where(KioskPairing.code_hash == _hash(normalise_code(code)), KioskPairing.used_at.is_(None),
               KioskPairing.expires_at > now)
        .values(used_at=now).returning(KioskPairing.station_id)
        .execution_options(synchronize_session=False)).scalar()
    if station_id is None:
        raise BadPairingCode()
    station = session.get(Station, station_id)
    credential, token = issue_token(session, KIOSK, station.name)
    kiosk = Kiosk(station=station, credential=credential, label=label.strip()[:128], paired_at=now,
                  paired_from=address[:64])
    session.add(kiosk)
    session.flush()
    return kiosk, token


def kiosk_for_credential(session: Session, credential_id: int) -> Kiosk:
    """The kiosk holding this (valid) credential, e.g. from `VerifiedTokens.check(KIOSK, token)`."""
    kiosk = session.scalar(select(Kiosk).where(Kiosk.credential_id == credential_id))
    if kiosk is None or kiosk.credential.revoked:
        raise BadCredentials()
    return kiosk


def kiosk_for_token(session: Session, token: str | None) -> Kiosk:
    """The kiosk whose credential `token` is; raises BadCredentials (revoked, unknown, not a kiosk's)."""
    return kiosk_for_credential(session, authenticate(session, KIOSK, token).id)


def mark_kiosk_seen(session: Session, kiosk_id: int) -> None:
    """Note that the kiosk asked for something (at most one write a minute: kiosks poll)."""
    now = utcnow()
    stale = or_(Kiosk.last_seen_at.is_(None), Kiosk.last_seen_at < now - SEEN_EVERY)
    session.execute(update(Kiosk).where(Kiosk.id == kiosk_id, stale).values(last_seen_at=now)
                    .execution_options(synchronize_session=False))


def list_kiosks(session: Session, station_name: str | None = None, revoked: bool = False) -> list[Kiosk]:
    """Paired kiosks by station (with `revoked`, the unpaired ones too)."""
    query = select(Kiosk).join(Kiosk.station).order_by(Station.name, Kiosk.id)
    if station_name is not None:
        query = query.where(Station.name == station_name)
    kiosks = list(session.scalars(query).unique())
    return kiosks if revoked else [k for k in kiosks if not k.revoked]


def unpair(session: Session, station_name: str, kiosk_id: int | None = None) -> list[Kiosk]:
    """Revoke the credential of one kiosk of the station, or of all of them; returns those unpaired."""
    station = get_station(session, station_name)
    kiosks = [k for k in list_kiosks(session, station.name) if kiosk_id is None or k.id == kiosk_id]
    if kiosk_id is not None and not kiosks:
        raise UnknownKiosk(kiosk=kiosk_id)
    for kiosk in kiosks:
        kiosk.credential.revoked = True
    return kiosks


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


def _latest_tap(session: Session, station_id: int, within: timedelta) -> Tap | None:
    return session.scalar(select(Tap).where(Tap.station_id == station_id, Tap.at >= utcnow() - within)
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


def kiosk_view(session: Session, station_id: int, card_key: bytes,
               within: timedelta = KIOSK_WINDOW) -> KioskVisitor | UnknownCardTap | None:
    """What the station's kiosk shows now (what it polls for): the person who was identified, the claim
    code of an unknown card just tapped (until it is claimed or ended), or nothing (idle)."""
    tap = _latest_tap(session, station_id, within)
    if (tap is not None and tap.outcome == TapOutcome.UNKNOWN_CARD and tap.claim_code_masked and tap.ended_at is None
            and tap.claimed_by_id is None and tap.claim_code_hash):
        code = unmask_claim_code(card_key, tap.claim_code_hash, tap.claim_code_masked)
        return UnknownCardTap(tap.id, tap.last4, code, tap.station.name, tap.at, tap.at + within)
    return _visitor(session, tap, within)


def end_kiosk_session(session: Session, station_id: int, tap_id: int) -> bool:
    """The person is done (or walked away, or noted the claim code): the kiosk goes back to idle. False if
    it had ended already."""
    result = session.execute(
        update(Tap).where(Tap.id == tap_id, Tap.station_id == station_id,
                          Tap.outcome.in_([TapOutcome.IDENTIFIED, TapOutcome.UNKNOWN_CARD]), Tap.ended_at.is_(None))
        .values(ended_at=utcnow()).execution_options(synchronize_session=False))
    return result.rowcount == 1
