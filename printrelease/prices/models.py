"""A price row: the unit prices of one paper size, site-wide or for one printer, from one instant on.

Every printed side (impression) is charged once, at the mono or colour price of its paper size, and at
the duplex price when the job was printed two-sided: a duplex price below the simplex one is the duplex
discount (to charge per sheet instead, set the duplex price to half the sheet price). Unit prices are
integers in hundredths of the currency's minor unit (PRICE_SCALE), so ₩20 is 2000 and $0.035 is 350;
a job's cost is rounded half up to the minor unit once, and frozen into its usage row as an integer.

Rows are never changed: a new price is a new row valid from a later instant, so a price change
applies from that instant on and the charges before it stay as they were. A printer's override is a
row with `printer_id`; a row of that printer with no prices ends its override from its instant on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from printrelease.db import Base, utcnow
from printrelease.printers.models import Printer

PRICE_SCALE = 100
PRICED_SIZES = ("A4", "A3", "Letter")  # any other size is charged as A4


class Terms:
    """What a charge reads of a price row: of the mapped row, and of a row of its columns alike."""

    mono_simplex: int | None
    colour_simplex: int | None
    mono_duplex: int | None
    colour_duplex: int | None

    @property
    def ends_override(self) -> bool:
        return self.mono_simplex is None

    def unit_prices(self, duplex: bool) -> tuple[int, int]:
        """(mono, colour) per impression, scaled by PRICE_SCALE."""
        if duplex:
            return self.mono_duplex, self.colour_duplex
        return self.mono_simplex, self.colour_simplex


@dataclass(frozen=True)
class PriceTerms(Terms):
    """A price row's columns a charge reads, read without the ORM (My jobs prices every page it draws)."""

    id: int
    paper_size: str
    currency: str
    mono_simplex: int | None
    colour_simplex: int | None
    mono_duplex: int | None
    colour_duplex: int | None


class Price(Terms, Base):
    __tablename__ = "prices"
    __table_args__ = (Index("ix_prices_lookup", "paper_size", "printer_id", "valid_from"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    printer_id: Mapped[int | None] = mapped_column(ForeignKey("printers.id"))
    paper_size: Mapped[str] = mapped_column(String(16))
    valid_from: Mapped[datetime]
    currency: Mapped[str] = mapped_column(String(3))
    mono_simplex: Mapped[int | None] = mapped_column(BigInteger)
    colour_simplex: Mapped[int | None] = mapped_column(BigInteger)
    mono_duplex: Mapped[int | None] = mapped_column(BigInteger)
    colour_duplex: Mapped[int | None] = mapped_column(BigInteger)
    set_by: Mapped[str] = mapped_column(String(255), default="")
    set_at: Mapped[datetime] = mapped_column(default=utcnow)

    printer: Mapped[Printer | None] = relationship(lazy="joined")

    def __repr__(self) -> str:
        scope = self.printer.name if self.printer else "site"
        return f"<Price {self.id} {scope} {self.paper_size} from {self.valid_from:%Y-%m-%d %H:%M}>"
