"""Adding, listing, removing and claiming cards; the caller commits."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from printrelease.accounts.models import User
from printrelease.accounts.service import get_user
from printrelease.cards import numbers
from printrelease.cards.errors import CardInUse, NothingToClaim, UnknownCard
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


def _claimable(window: timedelta):
    from printrelease.stations.models import Tap, TapOutcome

    return (select(Tap)
            .where(Tap.outcome == TapOutcome.UNKNOWN_CARD, Tap.claimed_by_id.is_(None), Tap.at >= utcnow() - window)
            .order_by(Tap.at.desc(), Tap.id.desc()))


def claimable_taps(session: Session, window: timedelta) -> list:
    """Unknown-card taps of the last `window` nobody has claimed yet, newest first, at every station."""
    return list(session.scalars(_claimable(window)))


def claim_unknown_card(session: Session, login: str, station_name: str, window: timedelta,
                       tap_id: int | None = None) -> Card:
    """Give `login` the card refused as unknown at the station within `window`: the tap `tap_id`, or
    the most recent one.

    The owner taps the new card, is told it is unknown, logs in and claims it: the tap carries only
    the keyed hash, which is all a Card stores anyway.
    """
    from printrelease.stations.models import Station, Tap

    user = get_user(session, login)
    query = _claimable(window).join(Tap.station).where(Station.name == station_name)
    if tap_id is not None:
        query = query.where(Tap.id == tap_id)
    tap = session.scalar(query.limit(1))
    if tap is None:
        raise NothingToClaim(station_name, int(window.total_seconds() // 60))
    card = _attach(session, user, tap.card_hash, tap.last4, label=f"claimed at {station_name}")
    tap.claimed_by_id = user.id
    return card
