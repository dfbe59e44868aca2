"""A page of a longer list: the rows shown, how many there are in all, and where this page is."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from printrelease.errors import Invalid
from printrelease.i18n import N_

T = TypeVar("T")
MAX_PER_PAGE = 200


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T] = field(default_factory=list)
    total: int = 0
    page: int = 1
    per_page: int = 50

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def bounded(page: int, per_page: int) -> tuple[int, int]:
    """A page number of at least 1 and a page size of 1 to MAX_PER_PAGE, whatever a URL asked for."""
    try:
        page, per_page = int(page), int(per_page)
    except (TypeError, ValueError):
        page, per_page = 1, 50
    return max(1, min(page, 10**6)), max(1, min(per_page, MAX_PER_PAGE))


def check_instants(*instants: datetime | None) -> None:
    """Refuse a time without a zone (a filter built from a bare date): it could be any of 24 hours."""
    for instant in instants:
        if instant is not None and instant.tzinfo is None:
            raise Invalid(N_("a time to filter by needs its time zone"))


def count(session: Session, query: Select) -> int:
    """Rows `query` would return (its ORDER BY dropped), counted by the database."""
    return session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))


def paginate(session: Session, query: Select, page: int, per_page: int, unique: bool = False) -> Page:
    """The page `page` of `query` (already ordered), with the total; page and size bounded first."""
    page, per_page = bounded(page, per_page)
    rows = session.scalars(query.offset((page - 1) * per_page).limit(per_page))
    return Page(list(rows.unique() if unique else rows), count(session, query), page, per_page)


def between(query: Select, column, since: datetime | None, until: datetime | None) -> Select:
    """`query` kept to rows whose `column` is at or after `since` and before `until` (either may be open)."""
    check_instants(since, until)
    if since is not None:
        query = query.where(column >= since)
    if until is not None:
        query = query.where(column < until)
    return query
