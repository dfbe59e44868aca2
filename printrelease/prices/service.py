"""Price lists and what a job costs: the estimate of a held job and the charge frozen when it prints.

The caller commits. Times are UTC instants; a price "from a date" starts at that date's midnight on the
site's clock (`printrelease.localtime`), which the edges turn into an instant.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, lazyload

from printrelease.db import utcnow
from printrelease.jobs.models import Job, impressions
from printrelease.printers.models import Printer
from printrelease.printers.service import get_printer
from printrelease.prices.errors import PriceInThePast, UnpricedSize
from printrelease.prices.models import PRICE_SCALE, PRICED_SIZES, Price, PriceTerms, Terms
from printrelease.prices.money import digits, parse_unit_price


@dataclass(frozen=True)
class Charge:
    """What one job costs: its impressions split by colour, the price row used and the amount."""

    paper_size: str  # as the job has it ("A5", "custom", ...); the price is that of `priced_as`
    priced_as: str
    duplex: bool
    colour_impressions: int
    mono_impressions: int
    currency: str
    amount: int  # minor units of `currency`
    price_id: int | None  # None: no price list in force, nothing charged


def priced_size(paper_size: str | None) -> str:
    return paper_size if paper_size in PRICED_SIZES else "A4"


def impressions_of(job: Job) -> tuple[int, int]:
    """(colour, mono) impressions: page by page, so 21 pages with one colour chart are 1 + 20.

    A job not measured yet (analysis failed or still pending) counts as colour rather than guess cheaper.
    `job` may also be a row of the columns read here (pages, number_up, copies, color_mode, color_pages).
    """
    total = impressions(job.pages, job.number_up, job.copies)
    if job.color_mode == "monochrome":
        colour = 0
    elif job.color_pages is not None:
        colour = min(total, job.color_pages * job.copies)
    else:
        colour = total
    return colour, total - colour


def amount(price: Terms | None, colour: int, mono: int, duplex: bool) -> int:
    """Minor units for these impressions at `price`, rounded half up once."""
    if price is None:
        return 0
    mono_price, colour_price = price.unit_prices(duplex)
    return (colour * colour_price + mono * mono_price + PRICE_SCALE // 2) // PRICE_SCALE


def price_in_force(session: Session, paper_size: str | None, printer_id: int | None, at: datetime,
                   latest=None) -> Price | None:
    """The price row for a size at a printer at an instant: the printer's override, else the site's;
    a size without any price list falls back to A4's. `latest=_latest_terms`: its PriceTerms only."""
    size, _latest = priced_size(paper_size), latest or _latest_row
    for candidate in dict.fromkeys((size, "A4")):
        if printer_id is not None:
            override = _latest(session, candidate, printer_id, at)
            if override is not None and not override.ends_override:
                return override
        site = _latest(session, candidate, None, at)
        if site is not None:
            return site
    return None


def _latest_query(printer_condition, *columns):
    return (select(*columns).where(Price.paper_size == bindparam("size"),
                                   Price.valid_from <= bindparam("at", type_=Price.valid_from.type), printer_condition)
            .order_by(Price.valid_from.desc(), Price.id.desc()).limit(1))


# Built once: every page that shows a cost asks these (building a statement costs more than running it),
# keyed by whether a printer's override is wanted. Without the printer a mapped row joins by default: a
# charge never reads it (loaded if asked for).
_SCOPES = {False: Price.printer_id.is_(None), True: Price.printer_id == bindparam("printer_id")}
_ROWS = {at: _latest_query(scope, Price).options(lazyload(Price.printer)) for at, scope in _SCOPES.items()}
_TERMS = {at: _latest_query(scope, Price.id, Price.paper_size, Price.currency, Price.mono_simplex,
                            Price.colour_simplex, Price.mono_duplex, Price.colour_duplex)
          for at, scope in _SCOPES.items()}


def _latest_row(session: Session, size: str, printer_id: int | None, at: datetime) -> Price | None:
    return session.scalar(_ROWS[printer_id is not None], {"size": size, "at": at, "printer_id": printer_id})


def _latest_terms(session: Session, size: str, printer_id: int | None, at: datetime) -> PriceTerms | None:
    # Columns only, on the session's connection: a third of the ORM's cost.
    row = session.connection().execute(_TERMS[printer_id is not None],
                                       {"size": size, "at": at, "printer_id": printer_id}).first()
    return None if row is None else PriceTerms(*row)


def charge_for(session: Session, job: Job, printer_id: int | None = None, at: datetime | None = None) -> Charge:
    """What `job` costs at `printer_id` (default: its own printer, else site prices) at `at` (default now)."""
    at = at or utcnow()
    printer_id = job.printer_id if printer_id is None else printer_id
    return _charge(job, price_in_force(session, job.paper_size or "A4", printer_id, at))


def _charge(job: Job, price: Terms | None) -> Charge:
    colour, mono = impressions_of(job)
    duplex = job.sides.startswith("two-sided")
    size = job.paper_size or "A4"
    currency = price.currency if price is not None else ""
    return Charge(size, price.paper_size if price is not None else priced_size(size), duplex, colour, mono,
                  currency, amount(price, colour, mono, duplex), price.id if price is not None else None)


def estimate(session: Session, job: Job, printer: str | None = None, at: datetime | None = None) -> Charge:
    """The estimated cost of a held job, at a release target if named (its overrides apply)."""
    printer_id = get_printer(session, printer).id if printer else None
    return charge_for(session, job, printer_id, at)


def estimates(session: Session, jobs: list[Job], printer: str | None = None,
              at: datetime | None = None) -> dict[int, Charge]:
    """`estimate` for many held jobs at once, by job id: each paper size's price is looked up once. The jobs
    may be rows of the columns a charge reads (`impressions_of`, and id, sides, paper_size)."""
    at = at or utcnow()
    printer_id = get_printer(session, printer).id if printer else None
    prices: dict[str, PriceTerms | None] = {}
    for size in {job.paper_size or "A4" for job in jobs}:
        prices[size] = price_in_force(session, size, printer_id, at, latest=_latest_terms)
    return {job.id: _charge(job, prices[job.paper_size or "A4"]) for job in jobs}


def set_price(
    session: Session,
    paper_size: str,
    currency: str,
    mono: str,
    colour: str,
    mono_duplex: str | None = None,
    colour_duplex: str | None = None,
    valid_from: datetime | None = None,
    printer: str | None = None,
    actor: str = "",
    now: datetime | None = None,
) -> Price:
    """A new price row (amounts in major units as text, e.g. "20" or "0.035"); duplex defaults to simplex.

    It starts at `valid_from` (default: now), which may not lie in the past: a charge, once frozen,
    was made at the price in force then.
    """
    row = _new_row(session, paper_size, valid_from, printer, actor, now)
    digits(currency)
    row.currency = currency
    row.mono_simplex, row.colour_simplex = parse_unit_price(mono, currency), parse_unit_price(colour, currency)
    row.mono_duplex = row.mono_simplex if mono_duplex is None else parse_unit_price(mono_duplex, currency)
    row.colour_duplex = row.colour_simplex if colour_duplex is None else parse_unit_price(colour_duplex, currency)
    session.add(row)
    session.flush()
    return row


def end_override(session: Session, printer: str, paper_size: str, currency: str,
                 valid_from: datetime | None = None, actor: str = "", now: datetime | None = None) -> Price:
    """From `valid_from` on, `printer` is charged at the site's prices for `paper_size` again."""
    row = _new_row(session, paper_size, valid_from, printer, actor, now)
    row.currency = currency
    session.add(row)
    session.flush()
    return row


def _new_row(session, paper_size, valid_from, printer, actor, now) -> Price:
    now = now or utcnow()
    if paper_size not in PRICED_SIZES:
        raise UnpricedSize(size=paper_size, sizes=", ".join(PRICED_SIZES))
    if valid_from is None:
        valid_from = now
    elif valid_from < now:
        raise PriceInThePast(valid_from=f"{valid_from:%Y-%m-%d %H:%M} UTC")
    target: Printer | None = get_printer(session, printer) if printer else None
    return Price(paper_size=paper_size, valid_from=valid_from, printer=target,
                 printer_id=target.id if target else None, set_by=actor, set_at=now)


def prices_in_force(session: Session, at: datetime | None = None,
                    printer: str | None = None) -> list[tuple[str, Price | None]]:
    """For each priced size, the row that applies at `at` (site-wide, or at `printer` with its overrides);
    a size charged as A4 has A4's row."""
    at = at or utcnow()
    printer_id = get_printer(session, printer).id if printer else None
    return [(size, price_in_force(session, size, printer_id, at)) for size in PRICED_SIZES]


def price_history(session: Session, printer: str | None = None, paper_size: str | None = None) -> list[Price]:
    """Every row ever set, oldest first: the site's, then each printer's overrides."""
    query = select(Price).outerjoin(Price.printer)
    if printer:
        query = query.where(Price.printer_id == get_printer(session, printer).id)
    if paper_size:
        query = query.where(Price.paper_size == paper_size)
    return list(session.scalars(query.order_by(Printer.name.nullsfirst(), Price.paper_size, Price.valid_from,
                                               Price.id)))
