"""A million usage rows on SQLite and PostgreSQL for the finance benchmarks, made once and kept.

Rows are bulk-loaded (SQLite executemany in one transaction, PostgreSQL COPY) over the twelve months of
2025: 40 departments, 2,000 users, 60 printers, mono, colour, duplex, A4 and A3. Corrections and jobs
are left out: the benchmarks measure the aggregation and the export of usage rows.
"""

from __future__ import annotations

import os
import random
import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import create_engine, func, select, text

from printrelease import db
from printrelease.usage.models import UsageRecord

ROWS = int(os.environ.get("BENCH_USAGE_ROWS", "1000000"))
FOLDER = Path(os.environ.get("BENCH_DATA", "/var/tmp/printrelease-bench"))
COLUMNS = ("printed_at", "user_login", "user_display_name", "department_code", "department_name", "printer_name",
           "title", "pages", "copies", "sides", "color_mode", "sheets", "impressions", "color_impressions",
           "mono_impressions", "paper_size", "currency", "cost", "reason", "corrected_by")
SURNAMES, GIVEN = "김이박최정강조윤장임", ["성렬", "지영", "민수", "서연", "도윤", "하은", "준호", "수빈"]


def rows(count: int = ROWS, seed: int = 7):
    rng = random.Random(seed)
    start = datetime(2024, 12, 31, 15, tzinfo=timezone.utc)  # 2025-01-01 00:00 in Seoul
    span = 365 * 24 * 3600
    for n in range(count):
        user = rng.randrange(2000)
        department = user % 40
        pages, copies = rng.randint(1, 30), rng.choice((1, 1, 1, 2, 3))
        duplex = rng.random() < 0.4
        colour = rng.randint(0, pages) if rng.random() < 0.3 else 0
        impressions = pages * copies
        sheets = (pages + 1) // 2 * copies if duplex else impressions
        size = "A3" if rng.random() < 0.05 else "A4"
        cost = colour * copies * 100 + (impressions - colour * copies) * 20
        yield (start + timedelta(seconds=n * span // count), f"user{user:04d}",
               f"{SURNAMES[user % 10]}{GIVEN[user % 8]}", f"D{department:03d}", f"부서 {department:02d}",
               f"printer-{rng.randrange(60):02d}", f"문서 {n}", pages, copies,
               "two-sided-long-edge" if duplex else "one-sided", "color" if colour else "monochrome", sheets,
               impressions, colour * copies, impressions - colour * copies, size, "KRW", cost, "", "")


def sqlite_url() -> str:
    return f"sqlite:///{FOLDER / f'usage-{ROWS}.sqlite3'}"


def postgres_url() -> str | None:
    server = os.environ.get("PRINTRELEASE_TEST_POSTGRES_URL")
    return server.rsplit("/", 1)[0] + f"/printrelease_bench_usage_{ROWS}" if server else None


def _count(url: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.scalar(select(func.count()).select_from(UsageRecord))
    except Exception:
        return -1
    finally:
        engine.dispose()


def ensure_sqlite() -> str:
    url = sqlite_url()
    FOLDER.mkdir(parents=True, exist_ok=True)
    if _count(url) == ROWS:
        return url
    Path(url.split(":///")[1]).unlink(missing_ok=True)
    db.upgrade(url)
    connection = sqlite3.connect(url.split(":///")[1])
    stamp = "%Y-%m-%d %H:%M:%S.%f"  # SQLAlchemy's SQLite format, in UTC
    with connection:
        connection.executemany(
            f"INSERT INTO usage_records ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})",
            ((row[0].strftime(stamp),) + row[1:] for row in rows()))
    connection.execute("ANALYZE")
    connection.close()
    return url


def ensure_postgres() -> str | None:
    url = postgres_url()
    if url is None:
        return None
    if _count(url) == ROWS:
        return url
    admin = create_engine(os.environ["PRINTRELEASE_TEST_POSTGRES_URL"], isolation_level="AUTOCOMMIT")
    name = url.rsplit("/", 1)[1]
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}" ENCODING \'UTF8\' TEMPLATE template0'))
    admin.dispose()
    db.upgrade(url)
    engine = create_engine(url)
    raw = engine.raw_connection()
    try:
        with raw.cursor() as cursor:
            with cursor.copy(f"COPY usage_records ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                for row in rows():
                    copy.write_row(row)
        raw.commit()
    finally:
        raw.close()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE usage_records"))
    engine.dispose()
    return url


def databases() -> list[tuple[str, str]]:
    """(label, url) of each database with the rows, made if missing."""
    found = [("SQLite", ensure_sqlite())]
    postgres = ensure_postgres()
    if postgres:
        found.append(("PostgreSQL", postgres))
    return found
