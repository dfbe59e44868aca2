"""Pairing kiosks with stations, and the kiosks' credentials; the caller commits.

An administrator makes a pairing code for a station (`create_pairing_code`); the kiosk presents it once
(`pair_kiosk`) and gets a long-lived credential bound to that station, which it sends with every request
instead of the station's own API token (which never appears in a kiosk's URL or storage). Codes and
credentials are kept as SHA-256 hashes only. A pairing code is single use by a guarded UPDATE, so two
kiosks racing with one code get one credential between them.

Every pairing, and every code refused, goes into the administrative audit trail with the address it came
from: a new device is now trusted with people's jobs, and a run of wrong codes is someone guessing. The
refusals in the trail are also what slows guessing down (`PairingPolicy`), on every server alike.
"""

from __future__ import annotations

import hashlib
import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from printrelease.audit.models import AuditEntry
from printrelease.audit.service import record_admin_action
from printrelease.credentials.service import BadCredentials, authenticate, issue_token
from printrelease.db import utcnow
from printrelease.kiosks.errors import BadPairingCode, PairingThrottled, UnknownKiosk
from printrelease.kiosks.models import Kiosk, KioskPairing
from printrelease.stations.models import Station
from printrelease.stations.service import get_station

KIOSK = "kiosk"  # the kind of ApiToken a kiosk holds
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: typed on a touchscreen from a phone or paper
CODE_LENGTH = 8  # 40 bits, valid for minutes and once: not guessable in time at any request rate
PAIRING_VALID = timedelta(minutes=5)
SEEN_EVERY = timedelta(minutes=1)
PAIRED, REFUSED = "kiosks.pair", "kiosks.pair_refused"  # audit actions


@dataclass(frozen=True)
class PairingPolicy:
    """Wrong codes allowed per `window`: from one address, and from everywhere together. Of 32**8 codes
    one is alive for five minutes after an administrator makes it; even with one alive at every moment,
    a guesser kept at the site-wide limit for a year has about one chance in 300,000. The per-address
    limit keeps one guesser from using up everyone's share (pairing is rare: an administrator who finds
    it throttled sees why in the audit trail)."""

    window: timedelta = timedelta(minutes=15)
    per_address: int = 10
    site_wide: int = 100


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


def pair_kiosk(session: Session, code: str, label: str = "", address: str = "",
               policy: PairingPolicy = PairingPolicy()) -> tuple[Kiosk, str]:
    """Use a pairing code: returns the new kiosk and its credential (shown once; only its hash is kept).

    Raises BadPairingCode for a code that is unknown, used or expired, alike, and PairingThrottled, before
    the code is even looked at, after too many of those. A refusal is recorded too: the caller commits
    whether or not this raises.
    """
    address = address[:64]
    _check_throttle(session, address, policy)
    now = utcnow()
    station_id = session.execute(
        update(KioskPairing)
        .where(KioskPairing.code_hash == _hash(normalise_code(code)), KioskPairing.used_at.is_(None),
               KioskPairing.expires_at > now)
        .values(used_at=now).returning(KioskPairing.station_id)
        .execution_options(synchronize_session=False)).scalar()
    if station_id is None:
        record_admin_action(session, KIOSK, REFUSED, detail="wrong, used or expired pairing code", address=address)
        raise BadPairingCode()
    station = session.get(Station, station_id)
    credential, token = issue_token(session, KIOSK, station.name)
    kiosk = Kiosk(station=station, credential=credential, label=label.strip()[:128], paired_at=now,
                  paired_from=address)
    session.add(kiosk)
    session.flush()
    record_admin_action(session, f"kiosk:{station.name}", PAIRED, station.name,
                        f"kiosk {kiosk.id}" + (f" ({kiosk.label})" if kiosk.label else ""), address)
    return kiosk, token


def _check_throttle(session: Session, address: str, policy: PairingPolicy) -> None:
    since = utcnow() - policy.window
    refused = select(func.count(), func.min(AuditEntry.at)).where(AuditEntry.action == REFUSED, AuditEntry.at >= since)
    for query, limit in ((refused.where(AuditEntry.address == address), policy.per_address),
                         (refused, policy.site_wide)):
        count, first = session.execute(query).one()
        if count >= limit:
            # Not recorded as another refusal: no code was tried.
            wait = first + policy.window - utcnow()
            raise PairingThrottled(max(1, math.ceil(wait.total_seconds() / 60)))


def kiosk_for_credential(session: Session, credential_id: int) -> Kiosk:
    """The kiosk holding this (valid) credential, e.g. from `VerifiedTokens.check(KIOSK, token)`."""
    kiosk = session.scalar(select(Kiosk).where(Kiosk.credential_id == credential_id))
    if kiosk is None or kiosk.credential.revoked:
        raise BadCredentials()
    return kiosk


def kiosk_for_token(session: Session, token: str | None) -> Kiosk:
    """The kiosk whose credential `token` is; raises BadCredentials (revoked, unknown, not a kiosk's)."""
    return kiosk_for_credential(session, authenticate(session, KIOSK, token).id)


def mark_kiosk_seen(session: Session, kiosk_id: int, last_seen_at: datetime | None) -> bool:
    """Note that the kiosk asked for something: at most one write a minute, and no statement at all in
    between (kiosks poll twice a second, and on SQLite even an UPDATE that changes nothing takes the
    write lock). `last_seen_at` is the kiosk's as read. True if it wrote."""
    now = utcnow()
    if last_seen_at is not None and last_seen_at >= now - SEEN_EVERY:
        return False
    stale = or_(Kiosk.last_seen_at.is_(None), Kiosk.last_seen_at < now - SEEN_EVERY)
    session.execute(update(Kiosk).where(Kiosk.id == kiosk_id, stale).values(last_seen_at=now)
                    .execution_options(synchronize_session=False))
    return True


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
