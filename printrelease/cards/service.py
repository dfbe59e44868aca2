"""Adding, listing, removing and claiming cards; the caller commits."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from printrelease.accounts.models import User
from printrelease.accounts.service import get_user
from printrelease.cards import numbers
from printrelease.cards.errors import CardInUse, NothingToClaim, UnknownCard, WrongClaimCode
from printrelease.cards.models import Card
from printrelease.db import utcnow


def add_card(session: Session, key: bytes, login: str, number: str, label: str = "") -> Card:
    """Give `login` the card `number` (any form `numbers.parse` reads)."""
    canonical = numbers.parse(number)
    return _attach(session, get_user(session, login), numbers.card_hash(key, canonical), numbers.last4(canonical),
                   label)


def _attach(session: Session, user: User, number_hash: str, last4: str, label: str) -> Card:
    existing = session.scalar(select(Card).where(Card.number_hash == number_hash))
    if existing is not None:
        if existing.user_id == user.id:
            return existing
        raise CardInUse(last4, existing.user.login)
    card = Card(user=user, number_hash=number_hash, last4=last4, label=label)
    session.add(card)
    session.flush()
    return card


def find_card(session: Session, key: bytes, canonical: str) -> Card | None:
    return session.scalar(select(Card).where(Card.number_hash == numbers.card_hash(key, canonical)))


def list_cards(session: Session, login: str | None = None) -> list[Card]:
    query = select(Card).join(Card.user).order_by(User.login, Card.id)
    if login is not None:
        query = query.where(User.login == login)
    return list(session.scalars(query).unique())


def remove_card(session: Session, key: bytes, login: str, number_or_last4: str) -> Card:
    """Remove one of the user's cards, named by its full number or by its last four digits."""
    user = get_user(session, login)
    cards = [c for c in list_cards(session, user.login)]
    wanted = number_or_last4.strip().upper()
    if len(wanted) == 4:
        matches = [c for c in cards if c.last4 == wanted]
    else:
        digest = numbers.card_hash(key, numbers.parse(number_or_last4))
        matches = [c for c in cards if c.number_hash == digest]
    if len(matches) != 1:
        raise UnknownCard(f"{login} has {len(matches)} cards matching {number_or_last4!r}")
    session.delete(matches[0])
    return matches[0]


def remove_own_card(session: Session, login: str, card_id: int) -> Card:
    """Remove one of `login`'s cards by its id; anyone else's card is "no such card", as is a missing one."""
    card = session.get(Card, card_id)
    if card is None or card.user.login != login:
        raise UnknownCard(f"#{card_id}")
    session.delete(card)
    return card


CLAIM_CODE_DIGITS = 6
WRONG_CODES_PER_TAP = 3


def new_claim_code() -> str:
    """A one-time code for an unknown card's tap, shown only to the person at the reader."""
    return f"{secrets.randbelow(10 ** CLAIM_CODE_DIGITS):0{CLAIM_CODE_DIGITS}d}"


def claim_code_hash(key: bytes, card_hash: str, code: str) -> str:
    """Keyed like card numbers: a million codes are guessed in no time from a plain hash, not from this."""
    return hmac.new(key, f"claim:{card_hash}:{code}".encode(), hashlib.sha256).hexdigest()


def mask_claim_code(key: bytes, code_hash: str, code: str) -> str:
    """The code under a keyed one-time pad, kept on the tap so that the station's kiosk can show it: without
    the card key the stored value says nothing (each tap's pad comes from its own code's keyed hash)."""
    return _shifted(int(code), _pad(key, code_hash))


def unmask_claim_code(key: bytes, code_hash: str, masked: str) -> str:
    return _shifted(int(masked), -_pad(key, code_hash))


def _pad(key: bytes, code_hash: str) -> int:
    return int.from_bytes(hmac.new(key, f"kiosk:{code_hash}".encode(), hashlib.sha256).digest()[:8], "big")


def _shifted(number: int, by: int) -> str:
    return f"{(number + by) % 10 ** CLAIM_CODE_DIGITS:0{CLAIM_CODE_DIGITS}d}"


def _claimable(window: timedelta, station_name: str):
    from printrelease.stations.models import Station, Tap, TapOutcome

    return (select(Tap).join(Tap.station)
            .where(Tap.outcome == TapOutcome.UNKNOWN_CARD, Tap.claimed_by_id.is_(None), Tap.at >= utcnow() - window,
                   Station.name == station_name)
            .order_by(Tap.at.desc(), Tap.id.desc()))


def claim_card_with_code(session: Session, key: bytes, login: str, station_name: str, code: str, window: timedelta,
                         wrong_codes_per_tap: int = WRONG_CODES_PER_TAP) -> Card:
    """Give `login` the unknown card tapped at the station within `window` whose one-time code is `code`.

    Only the person at the reader saw the code, so knowing it shows the card is in their hand. A wrong
    code counts against every tap it could have been for; a tap with `wrong_codes_per_tap` of them can
    no longer be claimed (its owner taps again for a new code). The caller commits even when this raises,
    so that wrong codes are counted.
    """
    from printrelease.stations.models import Tap

    user = get_user(session, login)
    taps = list(session.scalars(
        _claimable(window, station_name)
        .where(Tap.claim_code_hash.is_not(None), Tap.claim_failures < wrong_codes_per_tap)
        .with_for_update(of=Tap)).unique())
    code = "".join(code.split())
    for tap in taps:
        if hmac.compare_digest(tap.claim_code_hash, claim_code_hash(key, tap.card_hash, code)):
            card = _attach(session, user, tap.card_hash, tap.last4, label=f"claimed at {station_name}")
            tap.claimed_by_id = user.id
            return card
    for tap in taps:
        tap.claim_failures += 1
    raise WrongClaimCode(station_name, int(window.total_seconds() // 60), wrong_codes_per_tap)


def claim_unknown_card(session: Session, login: str, station_name: str, window: timedelta) -> Card:
    """For admins: give `login` the card most recently refused as unknown at the station within `window`.

    The admin has the owner in front of them (or on the phone) and checks who tapped; users claim with
    the tap's code instead (`claim_card_with_code`).
    """
    user = get_user(session, login)
    tap = session.scalar(_claimable(window, station_name).limit(1))
    if tap is None:
        raise NothingToClaim(station_name, int(window.total_seconds() // 60))
    card = _attach(session, user, tap.card_hash, tap.last4, label=f"claimed at {station_name}")
    tap.claimed_by_id = user.id
    return card
