"""A station (reader at one printer) and the log of every tap made on it."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from printrelease.credentials.models import ApiToken
from printrelease.db import Base, utcnow
from printrelease.printers.models import Printer


RELEASE_MODES = ("all", "choose")


class Station(Base):
    __tablename__ = "stations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    printer_id: Mapped[int] = mapped_column(ForeignKey("printers.id"))
    credential_id: Mapped[int] = mapped_column(ForeignKey("api_tokens.id"))
    require_pin: Mapped[bool] = mapped_column(default=False)
    # "all": a tap releases every held job; "choose": a tap identifies the person, who chooses at the kiosk.
    release_mode: Mapped[str] = mapped_column(String(8), default="all", server_default="all")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime | None]  # the agent's last heartbeat or tap

    printer: Mapped[Printer] = relationship(lazy="joined")
    credential: Mapped[ApiToken] = relationship(lazy="joined")


class TapOutcome(str, enum.Enum):
    PENDING = "pending"  # being answered; the row exists so that a repeated request finds it
    RELEASED = "released"
    NOTHING_TO_PRINT = "nothing_to_print"
    UNKNOWN_CARD = "unknown_card"
    CARD_DISABLED = "card_disabled"
    PIN_REQUIRED = "pin_required"
    WRONG_PIN = "wrong_pin"
    PRINTER_UNAVAILABLE = "printer_unavailable"
    RATE_LIMITED = "rate_limited"
    IDENTIFIED = "identified"  # at a "choose" station: nothing released, the kiosk shows the person's jobs


class Tap(Base):
    __tablename__ = "taps"
    # station + at: a kiosk asks every second who last tapped at its station.
    __table_args__ = (Index("ix_taps_station_outcome_at", "station_id", "outcome", "at"),
                      Index("ix_taps_station_at", "station_id", "at"),
                      UniqueConstraint("station_id", "request_id", name="uq_taps_station_id_request_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    card_hash: Mapped[str] = mapped_column(String(64))
    last4: Mapped[str] = mapped_column(String(4))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    outcome: Mapped[TapOutcome] = mapped_column(
        Enum(TapOutcome, native_enum=False, length=24, values_callable=lambda e: [m.value for m in e]))
    jobs: Mapped[int] = mapped_column(default=0)
    pages: Mapped[int] = mapped_column(default=0)
    detail: Mapped[str] = mapped_column(Text, default="")
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The agent's id for this tap, and the answer given: a repeated request gets the same answer and
    # never starts a second release.
    request_id: Mapped[str | None] = mapped_column(String(64))
    answer: Mapped[str | None] = mapped_column(Text)
    # An unknown card's tap carries a one-time code, shown only at the reader, that its owner gives to
    # claim it; only its keyed hash is kept, with the wrong codes tried against it.
    claim_code_hash: Mapped[str | None] = mapped_column(String(64))
    claim_failures: Mapped[int] = mapped_column(default=0)
    claim_code_masked: Mapped[str | None] = mapped_column(String(6))  # for the kiosk: cards/service.py
    # An identifying tap opens the person's jobs on the station's kiosk until then, or until it is ended.
    ended_at: Mapped[datetime | None]

    station: Mapped[Station] = relationship(lazy="joined")
