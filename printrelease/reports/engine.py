"""A report: its columns, its rows streamed from SQL with subtotals and a grand total, its chart series.

The writers (CSV, XLSX, PDF) and a web page take a `Report` and read `columns`, `rows()` and the
series; nothing here knows about files. Values are Python values: int, Decimal, date, datetime, str;
money is an int of the report's currency's minor unit (column kind "money").
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Iterator

from sqlalchemy import text
from sqlalchemy.orm import Session

from printrelease.config import Settings
from printrelease.i18n import catalogue, normalise, translate
from printrelease.localtime import month_of, site_zone
from printrelease.reports import query
from printrelease.reports.columns import Column, columns_for, title_for
from printrelease.reports.errors import BadGrouping, BadPeriod, MixedCurrencies
from printrelease.reports.query import DIMENSIONS, SUMS, ReportFilter

KINDS = ("summary", "detail", "clicks")
LARGE_SIZES = ("A3", "B4", "Tabloid")
BARS = 12  # departments a chart draws one by one; the rest share one bar


@dataclass(frozen=True)
class Site:
    """What a report needs to know about the site: its clock, its money and its savings factors."""

    zone: str = "Asia/Seoul"
    currency: str = "KRW"
    co2_grams_per_sheet: Decimal = Decimal("12.7")
    sheets_per_tree: int = 8333
    large_format_clicks: int = 2

    @classmethod
    def from_settings(cls, settings: Settings) -> "Site":
        return cls(settings.timezone, settings.currency, settings.co2_grams_per_sheet, settings.sheets_per_tree,
                   settings.large_format_clicks)


@dataclass
class Row:
    level: str  # "row", "subtotal" or "total"
    values: list


@dataclass
class Sums:
    values: list[int] = field(default_factory=lambda: [0] * len(SUMS))

    def add(self, other: list[int]) -> None:
        self.values = [a + int(b) for a, b in zip(self.values, other)]

    def __getitem__(self, name: str) -> int:
        return self.values[SUMS.index(name)]


class Report:
    """One report over a period; `rows()` may be read once per call, each call runs its query anew."""

    def __init__(self, session: Session, flt: ReportFilter, by: tuple[str, ...] = ("department",),
                 kind: str = "summary", site: Site = Site(), language: str = "ko"):
        if flt.last < flt.first:
            raise BadPeriod(first=flt.first.isoformat(), last=flt.last.isoformat())
        if kind not in KINDS:
            raise BadGrouping(by=kind, choices=", ".join(KINDS))
        by = tuple(dict.fromkeys(by)) if kind == "summary" else ()
        if kind == "summary" and (not by or any(d not in DIMENSIONS for d in by)):
            raise BadGrouping(by=",".join(by), choices=", ".join(DIMENSIONS))
        site_zone(site.zone)
        self.session, self.filter, self.by, self.kind, self.site = session, flt, by, kind, site
        self.language = language
        self.dialect = session.get_bind().dialect.name
        if self.dialect == "postgresql":
            # PostgreSQL's JIT compiles the unprinted jobs' price lookups for seconds and then runs them on
            # a handful of rows: measured slower on every report (BENCHMARKS.md), so not for these queries.
            session.execute(text("SET LOCAL jit = off"))
        # Costs come from price rows: only a site that changed its currency can have a period to check.
        currencies = sorted(session.scalars(query.price_currencies_statement()))
        if len(currencies) > 1:
            currencies = sorted(session.scalars(query.currencies_statement(flt, site.zone)))
        if len(currencies) > 1:
            raise MixedCurrencies(currencies=", ".join(currencies))
        self.currency = currencies[0] if currencies else site.currency
        self.columns: list[Column] = columns_for(kind, by, language, self.currency)
        self.generated_at = datetime.now(site_zone(site.zone))

    @property
    def title(self) -> str:
        return title_for(self.kind, self.by, self.language)

    def _(self, message: str, **params) -> str:
        return translate(message, self.language, **params)

    def count(self) -> int | None:
        """Rows a detail report will have (for a progress bar); None where that is not known up front."""
        if self.kind != "detail":
            return None
        return self.session.scalar(query.detail_count_statement(self.filter, self.site.zone))

    def rows(self) -> Iterator[Row]:
        return {"summary": self._summary, "detail": self._detail, "clicks": self._clicks}[self.kind]()

    # -- summary ---------------------------------------------------------------------------------

    def _summary(self) -> Iterator[Row]:
        statement = query.summary_statement(self.by, self.filter, self.site.zone, self.dialect)
        n, width = len(self.by), len(self.columns) - len(self.metrics(Sums()))
        total, sub, sub_key, sub_values = Sums(), Sums(), None, None
        for record in self.session.execute(statement):
            keys, labels, sums = record[:n], record[n:2 * n], [int(v) for v in record[2 * n:]]
            values = self._key_values(keys, labels)
            if n > 1 and keys[0] != sub_key:
                if sub_key is not None:
                    yield self._subtotal(sub_values, width, sub)
                sub_key, sub_values, sub = keys[0], values, Sums()
            sub.add(sums)
            total.add(sums)
            yield Row("row", values + self.metrics(Sums(sums)))
        if n > 1 and sub_key is not None:
            yield self._subtotal(sub_values, width, sub)
        yield Row("total", [self._("Total")] + [None] * (width - 1) + self.metrics(total))

    def _subtotal(self, first_values: list, width: int, sums: Sums) -> Row:
        lead = first_values[:self._key_width(self.by[0])]
        return Row("subtotal", lead + [self._("Subtotal")] + [None] * (width - len(lead) - 1) + self.metrics(sums))

    @staticmethod
    def _key_width(dimension: str) -> int:
        return 2 if dimension in ("department", "user") else 1

    def _key_values(self, keys, labels) -> list:
        values = []
        for dimension, key, label in zip(self.by, keys, labels):
            if dimension == "department":
                values += [key, label or self._("(no department)")]
            elif dimension == "user":
                values += [key, label]
            elif dimension == "printer":
                values.append(key or self._("(not printed)"))
            elif dimension == "month":
                values.append(date(int(key[:4]), int(key[5:7]), 1))
            else:
                values.append(date.fromisoformat(key))
        return values

    def metrics(self, sums: Sums) -> list:
        impressions, saved = sums["impressions"], sums["unprinted_sheets"]
        share = None if impressions == 0 else (Decimal(100 * sums["duplex"]) / impressions).quantize(
            Decimal("0.1"), ROUND_HALF_UP)
        co2 = (saved * self.site.co2_grams_per_sheet / 1000).quantize(Decimal("0.1"), ROUND_HALF_UP)
        trees = (Decimal(saved) / self.site.sheets_per_tree).quantize(Decimal("0.01"), ROUND_HALF_UP)
        return [sums["jobs"], sums["pages"], sums["sheets"], sums["colour"], sums["mono"], share,
                sums["charged"], sums["corrections"], sums["charged"] + sums["corrections"],
                sums["unprinted_jobs"], sums["unprinted_pages"], sums["unspent"], saved, co2, trees]

    # -- detail and clicks -----------------------------------------------------------------------

    def _detail(self) -> Iterator[Row]:
        zone = site_zone(self.site.zone)
        printed, correction = self._("printed"), self._("correction")
        labels = {"one-sided": self._("simplex"), "two-sided-long-edge": self._("duplex"),
                  "two-sided-short-edge": self._("duplex")}
        totals = [0] * 5
        for r in self._stream(query.detail_statement(self.filter, self.site.zone)):
            figures = [r.pages, r.sheets, r.color_impressions, r.mono_impressions, r.cost]
            totals = [a + b for a, b in zip(totals, figures)]
            yield Row("row", [
                r.id, r.printed_at.astimezone(zone).replace(tzinfo=None),
                printed if r.original_id is None else correction, r.corrects_id, r.user_login,
                r.user_display_name, r.department_code, r.department_name, r.printer_name, r.title,
                r.paper_size or "", labels.get(r.sides, r.sides), r.copies, *figures, r.reason,
                r.corrected_by])
        yield Row("total", [self._("Total")] + [None] * 12 + totals + [None, None])

    def _clicks(self) -> Iterator[Row]:
        total, sub, current = [0] * 6, [0] * 6, None
        for printer, size, jobs, mono, colour, sheets in self.session.execute(
                query.clicks_statement(self.filter, self.site.zone)):
            factor = self.site.large_format_clicks if size in LARGE_SIZES else 1
            figures = [int(jobs), int(mono), int(colour), int(sheets), int(mono) * factor, int(colour) * factor]
            if printer != current:
                if current is not None:
                    yield Row("subtotal", [current, self._("Subtotal")] + sub)
                current, sub = printer, [0] * 6
            sub = [a + b for a, b in zip(sub, figures)]
            total = [a + b for a, b in zip(total, figures)]
            yield Row("row", [printer, size or self._("(unknown)")] + figures)
        if current is not None:
            yield Row("subtotal", [current, self._("Subtotal")] + sub)
        yield Row("total", [self._("Total"), None] + total)

    def _stream(self, statement):
        # Detail rows come through a server-side cursor on PostgreSQL (a plain one on SQLite) in batches.
        # Summaries have one row per group and run as plain queries: PostgreSQL plans no parallel scan
        # for a cursor.
        return self.session.execute(statement.execution_options(yield_per=1000))

    # -- charts ----------------------------------------------------------------------------------

    def series_by_department(self) -> list[tuple[str, int]]:
        """(department, net cost) over the period, for the bar chart."""
        statement = query.summary_statement(("department",), self.filter, self.site.zone, self.dialect)
        rows = []
        for record in self.session.execute(statement):
            sums = Sums([int(v) for v in record[2:]])
            rows.append((record[1] or self._("(no department)"), sums["charged"] + sums["corrections"]))
        return rows

    def largest_departments(self, bars: int = BARS) -> list[tuple[str, int]]:
        """The department series largest first, as a chart draws it: `bars` departments one by one and
        the rest in one bar ("9 other departments"), so that a site of 200 departments stays readable."""
        departments = sorted(self.series_by_department(), key=lambda item: (-item[1], item[0]))
        shown, rest = departments[:bars], departments[bars:]
        if rest:
            label = catalogue(normalise(self.language)).ngettext(
                "%(num)s other department", "%(num)s other departments", len(rest)) % {"num": len(rest)}
            shown.append((label, sum(value for _label, value in rest)))
        return shown

    def series_by_month(self, months: int = 12) -> list[tuple[str, int]]:
        """(YYYY-MM, net cost) for the period's months, at least the `months` up to its end (the trend)."""
        last_first = month_of(self.filter.last)[0]
        first = last_first
        for _ in range(months - 1):
            first = month_of(first - timedelta(days=1))[0]
        first = min(first, month_of(self.filter.first)[0])
        flt = replace(self.filter, first=first)
        statement = query.summary_statement(("month",), flt, self.site.zone, self.dialect)
        found = {record[0]: Sums([int(v) for v in record[2:]]) for record in self.session.execute(statement)}
        series, at = [], first
        while at <= last_first:
            sums = found.get(f"{at:%Y-%m}")
            series.append((f"{at:%Y-%m}", sums["charged"] + sums["corrections"] if sums else 0))
            at = month_of(at)[1] + timedelta(days=1)
        return series

    def filter_lines(self) -> list[str]:
        """The period and filters in words, for the head of a PDF or a page."""
        flt, lines = self.filter, [self._("Period: %(first)s to %(last)s", first=self.filter.first.isoformat(),
                                          last=self.filter.last.isoformat())]
        for label, value in ((self._("Department"), flt.department), (self._("User"), flt.user),
                             (self._("Printer"), flt.printer)):
            if value:
                lines.append(f"{label}: {value}")
        return lines
