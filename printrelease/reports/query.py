"""The reports' SQL: one GROUP BY per report, the same on SQLite and PostgreSQL, streamed by the caller.

Usage rows carry their frozen cost; jobs that expired or were deleted unprinted are priced in SQL at
the site's prices in force when they ended, with the rule of `prices.service.amount` (rounded half up
per job), so the money they did not spend is summed like the rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import String, case, cast, func, literal, or_, select, union_all
from sqlalchemy.sql import ColumnElement

from printrelease.accounts.models import Department, User
from printrelease.jobs.models import Job, JobState
from printrelease.localtime import bounds, offsets
from printrelease.prices.models import PRICE_SCALE, PRICED_SIZES, Price
from printrelease.usage.models import UsageRecord as U

UNPRINTED = (JobState.EXPIRED, JobState.DELETED)
DIMENSIONS = ("department", "user", "printer", "month", "day")
SUMS = ("jobs", "pages", "sheets", "colour", "mono", "impressions", "duplex", "charged", "corrections",
        "unprinted_jobs", "unprinted_pages", "unprinted_sheets", "unspent")


@dataclass(frozen=True)
class ReportFilter:
    """The rows a report covers: local days `first` to `last` (both included) and optional names."""

    first: date
    last: date
    department: str | None = None  # a department's code or name
    user: str | None = None  # a login
    printer: str | None = None


def local_text(column, pattern: str, zone: str, dialect: str, first: date, last: date) -> ColumnElement:
    """`column` (UTC) as local text: pattern "month" gives 2026-03, "day" 2026-03-31."""
    if dialect == "postgresql":
        return func.to_char(func.timezone(zone, column), "YYYY-MM" if pattern == "month" else "YYYY-MM-DD")
    fmt = "%Y-%m" if pattern == "month" else "%Y-%m-%d"
    start, end = bounds(first, last, zone)
    pieces = offsets(zone, start, end)
    shifted = [func.strftime(fmt, column, f"{offset:+d} seconds") for _at, offset in pieces]
    if len(pieces) == 1:
        return shifted[0]
    return case(*((column < at, expr) for (at, _o), expr in zip(pieces[1:], shifted)), else_=shifted[-1])


def _keys(by, source: str, zone: str, dialect: str, flt: ReportFilter) -> list[ColumnElement]:
    """(key, label) columns for each dimension, from usage rows or from unprinted jobs."""
    columns = []
    for dimension in by:
        if dimension == "department":
            pair = ((U.department_code, U.department_name) if source == "usage"
                    else (func.coalesce(Department.code, ""), func.coalesce(Department.name, "")))
        elif dimension == "user":
            pair = (U.user_login, U.user_display_name) if source == "usage" else (User.login, User.display_name)
        elif dimension == "printer":
            pair = (U.printer_name, U.printer_name) if source == "usage" else (literal(""), literal(""))
        else:
            when = U.printed_at if source == "usage" else Job.updated_at
            pair = (local_text(when, dimension, zone, dialect, flt.first, flt.last), literal(""))
        # A name may have changed during the period: the group is the code, its name the largest seen.
        columns += [cast(pair[0], String).label(f"k_{dimension}"),
                    func.max(cast(pair[1], String)).label(f"l_{dimension}")]
    return columns


def _usage_where(flt: ReportFilter, zone: str):
    start, end = bounds(flt.first, flt.last, zone)
    where = [U.printed_at >= start, U.printed_at < end]
    if flt.department:
        where.append(or_(U.department_code == flt.department, U.department_name == flt.department))
    if flt.user:
        where.append(U.user_login == flt.user)
    if flt.printer:
        where.append(U.printer_name == flt.printer)
    return where


def _jobs_where(flt: ReportFilter, zone: str):
    start, end = bounds(flt.first, flt.last, zone)
    where = [Job.state.in_(UNPRINTED), Job.updated_at >= start, Job.updated_at < end]
    if flt.department:
        where.append(or_(Department.code == flt.department, Department.name == flt.department))
    if flt.user:
        where.append(User.login == flt.user)
    if flt.printer:
        where.append(literal(False))  # an unprinted job was at no printer
    return where


def _zero():
    return literal(0)


def usage_sums() -> list[ColumnElement]:
    print_row = U.original_id.is_(None)
    return [
        func.sum(case((print_row, 1), else_=0)), func.sum(U.pages), func.sum(U.sheets),
        func.sum(U.color_impressions), func.sum(U.mono_impressions), func.sum(U.impressions),
        func.sum(case((U.sides.like("two-sided%"), U.impressions), else_=0)),
        func.sum(case((print_row, U.cost), else_=0)), func.sum(case((print_row, 0), else_=U.cost)),
    ]


def _price(size, column: str):
    """The site's unit price for `size` when the job ended, from the newest row then in force."""
    return (select(getattr(Price, column))
            .where(Price.printer_id.is_(None), Price.paper_size == size, Price.valid_from <= Job.updated_at)
            .order_by(Price.valid_from.desc(), Price.id.desc()).limit(1).scalar_subquery())


def unprinted_sums() -> list[ColumnElement]:
    per_copy = (Job.pages + Job.number_up - 1) // Job.number_up
    impressions = per_copy * Job.copies
    colour_pages = Job.color_pages * Job.copies
    colour = case((Job.color_mode == "monochrome", 0), (Job.color_pages.is_(None), impressions),
                  (colour_pages < impressions, colour_pages), else_=impressions)
    duplex = Job.sides.like("two-sided%")
    sheets = case((duplex, (per_copy + 1) // 2 * Job.copies), else_=impressions)
    size = case((Job.paper_size.in_([s for s in PRICED_SIZES if s != "A4"]), Job.paper_size), else_="A4")

    def unit(kind: str):
        simplex, two = f"{kind}_simplex", f"{kind}_duplex"
        return case((duplex, func.coalesce(_price(size, two), _price("A4", two))),
                    else_=func.coalesce(_price(size, simplex), _price("A4", simplex)))

    scaled = colour * unit("colour") + (impressions - colour) * unit("mono")
    return [func.count(), func.sum(Job.pages), func.sum(sheets),
            func.coalesce(func.sum((scaled + PRICE_SCALE // 2) // PRICE_SCALE), 0)]


def summary_statement(by, flt: ReportFilter, zone: str, dialect: str):
    """One row per group, ordered by the groups: the printed figures and the unprinted ones, net."""
    names = [f"s_{name}" for name in SUMS]
    printed = (select(*_keys(by, "usage", zone, dialect, flt),
                      *(c.label(n) for c, n in zip(usage_sums() + [_zero()] * 4, names)))
               .where(*_usage_where(flt, zone)).group_by(*(f"k_{d}" for d in by)))
    unprinted = (select(*_keys(by, "jobs", zone, dialect, flt),
                        *(c.label(n) for c, n in zip([_zero()] * 9 + unprinted_sums(), names)))
                 .select_from(Job).join(User, Job.owner_id == User.id)
                 .outerjoin(Department, User.department_id == Department.id)
                 .where(*_jobs_where(flt, zone)).group_by(*(f"k_{d}" for d in by)))
    both = union_all(printed, unprinted).subquery()
    keys = [both.c[f"k_{d}"] for d in by]
    return (select(*keys, *(func.max(both.c[f"l_{d}"]) for d in by),
                   *(func.coalesce(func.sum(both.c[n]), 0) for n in names))
            .group_by(*keys).order_by(*keys))


def totals_statement(flt: ReportFilter, zone: str):
    """The same sums over the whole period, without groups (the benchmark's and the checks' yardstick)."""
    return select(*usage_sums()).where(*_usage_where(flt, zone))


def price_currencies_statement():
    return select(Price.currency).distinct()


def currencies_statement(flt: ReportFilter, zone: str):
    return select(U.currency).where(*_usage_where(flt, zone), U.currency.is_not(None)).distinct()


def detail_statement(flt: ReportFilter, zone: str):
    return select(*U.__table__.c).where(*_usage_where(flt, zone)).order_by(U.printed_at, U.id)


def detail_count_statement(flt: ReportFilter, zone: str):
    return select(func.count()).select_from(U).where(*_usage_where(flt, zone))


def clicks_statement(flt: ReportFilter, zone: str):
    """What each printer counted, by paper size: printed rows only, a refund does not unprint a page."""
    size = func.coalesce(U.paper_size, "")
    return (select(U.printer_name, size.label("size"), func.count(), func.sum(U.mono_impressions),
                   func.sum(U.color_impressions), func.sum(U.sheets))
            .where(*_usage_where(flt, zone), U.original_id.is_(None))
            .group_by(U.printer_name, size).order_by(U.printer_name, size))
