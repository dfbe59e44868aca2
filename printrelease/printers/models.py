"""A printer is a CUPS queue on some CUPS server that held jobs can be released to."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from printrelease.db import Base


class Printer(Base):
    __tablename__ = "printers"
    __table_args__ = (UniqueConstraint("cups_server", "cups_queue"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    cups_server: Mapped[str] = mapped_column(String(255), default="")
    cups_queue: Mapped[str] = mapped_column(String(128))
    location: Mapped[str] = mapped_column(String(255), default="")
    supports_duplex: Mapped[bool] = mapped_column(default=False)
    supports_color: Mapped[bool] = mapped_column(default=False)
    is_active: Mapped[bool] = mapped_column(default=True)
    synced_at: Mapped[datetime | None]
    # Health as last polled over IPP (the CUPS queue, and the device itself when it speaks IPP).
    status_state: Mapped[int | None]
    status_reasons: Mapped[str] = mapped_column(Text, default="")  # IPP keywords, comma-separated
    status_message: Mapped[str] = mapped_column(Text, default="")
    status_markers: Mapped[str] = mapped_column(Text, default="")  # JSON: [{"name", "type", "level"}]
    status_checked_at: Mapped[datetime | None]

    def __repr__(self) -> str:
        return f"<Printer {self.name} {self.cups_server or 'default'}/{self.cups_queue}>"
