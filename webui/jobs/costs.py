"""Estimated costs of a list of held jobs with one price lookup per paper size and printer, not per job."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from printrelease.db import utcnow
from printrelease.jobs.models import Job
from printrelease.prices.service import amount, impressions_of, price_in_force, priced_size


@dataclass(frozen=True)
class Estimate:
    amount: int
    currency: str | None  # None: no price list in force, nothing to show


def estimates(session: Session, jobs: list[Job]) -> dict[int, Estimate]:
    """What each job would cost now, as prices.service.charge_for reckons it (its printer's overrides,
    else the site's prices), looking each price up once."""
    now, prices, result = utcnow(), {}, {}
    for job in jobs:
        size = job.paper_size or "A4"
        key = (priced_size(size), job.printer_id)
        if key not in prices:
            prices[key] = price_in_force(session, size, job.printer_id, now)
        price = prices[key]
        colour, mono = impressions_of(job)
        result[job.id] = Estimate(amount(price, colour, mono, job.sides.startswith("two-sided")),
                                  price.currency if price is not None else None)
    return result
