"""The department by month summary of a million usage rows, against the bare SQL GROUP BY, per database."""

from __future__ import annotations

import statistics
import sys
import time
from datetime import date

from sqlalchemy import text

from benchmarks.usage_rows import ROWS, databases
from printrelease.db import make_engine, make_session_factory
from printrelease.reports.engine import Report, Site
from printrelease.reports.query import ReportFilter

YEAR = ReportFilter(date(2025, 1, 1), date(2025, 12, 31))
BARE = {
    "sqlite": "strftime('%Y-%m', printed_at, '+32400 seconds')",
    "postgresql": "to_char(timezone('Asia/Seoul', printed_at), 'YYYY-MM')",
}


def bare_sql(dialect: str) -> str:
    """What a person would write by hand for the same figures (the unprinted jobs left out)."""
    return (f"SELECT department_code, {BARE[dialect]} AS month, max(department_name), "
            "sum(CASE WHEN original_id IS NULL THEN 1 ELSE 0 END), sum(pages), sum(sheets), sum(color_impressions), "
            "sum(mono_impressions), sum(impressions), "
            "sum(CASE WHEN sides LIKE 'two-sided%' THEN impressions ELSE 0 END), "
            "sum(CASE WHEN original_id IS NULL THEN cost ELSE 0 END), "
            "sum(CASE WHEN original_id IS NULL THEN 0 ELSE cost END) "
            "FROM usage_records WHERE printed_at >= :start AND printed_at < :end "
            "GROUP BY department_code, month ORDER BY department_code, month")


def measure(url: str, rounds: int = 5) -> dict:
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    dialect = engine.dialect.name
    from printrelease.localtime import bounds

    start, end = bounds(YEAR.first, YEAR.last, "Asia/Seoul")
    if dialect == "sqlite":
        start, end = (t.strftime("%Y-%m-%d %H:%M:%S.%f") for t in (start, end))
    ours, bare, groups = [], [], 0
    for _ in range(rounds + 1):  # the first round of each warms the cache and is not counted
        with sessions() as session:
            began = time.perf_counter()
            rows = list(session.execute(text(bare_sql(dialect)), {"start": start, "end": end}))
            bare.append(time.perf_counter() - began)
        with sessions() as session:
            began = time.perf_counter()
            report = Report(session, YEAR, ("department", "month"), site=Site())
            produced = list(report.rows())
            ours.append(time.perf_counter() - began)
        groups = len(rows)
        assert sum(1 for row in produced if row.level == "row") == groups
    engine.dispose()
    ours, bare = ours[1:], bare[1:]
    return {"groups": groups, "ours": statistics.median(ours), "bare": statistics.median(bare),
            "ratio": statistics.median(ours) / statistics.median(bare)}


def section() -> str:
    lines = ["## Finance: department by month summary", "",
             f"{ROWS:,} usage rows over the twelve months of 2025 (benchmarks/usage_rows.py). `Report(..., by=",
             "(\"department\", \"month\"))` read to its end (groups, subtotals, total, the unprinted jobs' query) ",
             "against the bare SQL GROUP BY of the same figures on the same database in the same run; median of 5",
             "after a warm-up. Target: ratio at most 1.2.", "",
             "| database | groups | bare GROUP BY | report | ratio |", "|---|---|---|---|---|"]
    for label, url in databases():
        print(f"finance summary on {label} ...", flush=True)
        result = measure(url)
        lines.append(f"| {label} | {result['groups']} | {result['bare'] * 1000:.0f} ms | {result['ours'] * 1000:.0f} ms"
                     f" | **{result['ratio']:.2f}** |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.stdout.write(section())
