"""A kiosk paired with a station, and the short-lived one-time codes that pair them (hashes only)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from printrelease.credentials.models import ApiToken
from printrelease.db import Base, utcnow
from printrelease.stations.models import Station


class KioskPairing(Base):
    """A code an administrator made for a station: valid for minutes, good for one kiosk."""

    __tablename__ = "kiosk_pairings"

    id: Mapped[int] = mapped_column(primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(255), default="")
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class Kiosk(Base):
    """A paired kiosk: its long-lived credential is an ApiToken of kind "kiosk" (only its hash is kept),
    bound to one station; revoking the token unpairs it."""

    __tablename__ = "kiosks"

    id: Mapped[int] = mapped_column(primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id", ondelete="CASCADE"), index=True)
    credential_id: Mapped[int] = mapped_column(ForeignKey("api_tokens.id"), unique=True)
    label: Mapped[str] = mapped_column(String(128), default="")
    paired_at: Mapped[datetime] = mapped_column(default=utcnow)
    paired_from: Mapped[str] = mapped_column(String(64), default="")  # the address the code came from
    last_seen_at: Mapped[datetime | None]

    station: Mapped[Station] = relationship(lazy="joined")
    credential: Mapped[ApiToken] = relationship(lazy="joined")

    @property
    def revoked(self) -> bool:
        return self.credential.revoked
