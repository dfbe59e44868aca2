"""The finance page over a year of a million usage rows: the preview against the report engine alone, and the
year's detail downloaded through the page's route (CSV and XLSX streamed), rows/s and peak memory."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from benchmarks.usage_rows import FOLDER, ROWS, databases

LOGIN = "bench-finance"
YEAR = "from=2025-01-01&to=2025-12-31"
MARCH = "from=2025-03-01&to=2025-03-31"
# (what, query, grouping, first and last day): the year three ways, and the month finance files each month.
PAGES = [("the year by department", f"{YEAR}&by=department", ("department",), (date(2025, 1, 1), date(2025, 12, 31))),
         ("the year by department, then month", f"{YEAR}&by=department&then=month", ("department", "month"),
          (date(2025, 1, 1), date(2025, 12, 31))),
         ("the year by user (2,000 rows, 200 shown)", f"{YEAR}&by=user", ("user",),
          (date(2025, 1, 1), date(2025, 12, 31))),
         ("March by department", f"{MARCH}&by=department", ("department",), (date(2025, 3, 1), date(2025, 3, 31)))]


def client(url: str, data: Path):
    """A test client of the app on `url`, logged in as a finance user (made once in the kept database)."""
    from printrelease.accounts.service import add_user, get_user, set_role
    from printrelease.accounts.sessions import start_session
    from printrelease.config import Settings
    from printrelease.errors import NotFound
    from printrelease.runtime import Runtime
    from webui import create_app

    runtime = Runtime(Settings(data_dir=data, database_url=url))
    with runtime.sessions.begin() as session:
        try:
            user = get_user(session, LOGIN)
        except NotFound:
            user = add_user(session, LOGIN, "재무 측정")
            set_role(session, LOGIN, "finance")
        token = start_session(session, user)
    app = create_app(runtime=runtime)
    browser = app.test_client()
    with browser.session_transaction() as cookie:
        cookie["sid"], cookie.permanent = token, True
    return runtime, browser


def preview(url: str, rounds: int = 5) -> list[dict]:
    from printrelease.reports.engine import Report, Site
    from printrelease.reports.query import ReportFilter

    runtime, browser = client(url, FOLDER / "page-data")
    results = []
    for label, query, by, (first, last) in PAGES:
        page, engine = [], []
        for _ in range(rounds + 1):  # the first of each warms the caches and is not counted
            began = time.perf_counter()
            answer = browser.get(f"/finance?{query}")
            page.append(time.perf_counter() - began)
            assert answer.status_code == 200, answer.status_code
            with runtime.reading_sessions() as session:
                began = time.perf_counter()
                list(Report(session, ReportFilter(first, last), by, site=Site()).rows())
                engine.append(time.perf_counter() - began)
        page, engine = statistics.median(page[1:]), statistics.median(engine[1:])
        results.append({"label": label, "page": page, "engine": engine, "ratio": page / engine})
    runtime.close()
    return results


def download(url: str, fmt: str) -> dict:
    """Run in the child: the year's detail through GET /finance/download, read as a browser would."""
    runtime, browser = client(url, FOLDER / "page-data")
    began = time.perf_counter()
    answer = browser.get(f"/finance/download?format={fmt}&{YEAR}&kind=detail", buffered=False)
    size = 0
    for chunk in answer.response:
        size += len(chunk)
    answer.close()
    seconds = time.perf_counter() - began
    peak = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM"))
    runtime.close()
    return {"seconds": seconds, "peak_mb": peak / 1024, "bytes": size, "streamed": answer.is_streamed}


def measure_download(url: str, fmt: str) -> dict:
    done = subprocess.run([sys.executable, "-m", "benchmarks.finance_page", "--child", url, fmt],
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def section() -> str:
    lines = ["## Finance: the web page over a year", "",
             f"{ROWS:,} usage rows over 2025 (benchmarks/usage_rows.py). The preview is `GET /finance` through",
             "Flask's test client (form, table, key figures, both charts, rendering), against the report engine",
             "alone read to its end on the same database in the same run; median of 5 after a warm-up. The page",
             "runs three GROUP BYs: the table's, the bars' (by department) and the trend's (the 12 months up to the",
             "period's end, so a month's page reads a year).", "",
             "| database | preview | engine alone | page | ratio |", "|---|---|---|---|---|"]
    found = databases()
    for name, url in found:
        print(f"finance page on {name} ...", flush=True)
        for r in preview(url):
            lines.append(f"| {name} | {r['label']} | {r['engine'] * 1000:.0f} ms | {r['page'] * 1000:.0f} ms | "
                         f"**{r['ratio']:.2f}** |")
    lines += ["", "The year's detail (every row) downloaded through `GET /finance/download`, each in a child process",
              "of its own reading the streamed answer to its end; the peak is that process's VmHWM, interpreter, app",
              "and imports included. Target: at most 100 MB, as for `printrelease report`.", "",
              "| database | format | rows | time | rows/s | file | peak RSS |", "|---|---|---|---|---|---|---|"]
    for name, url in found:
        for fmt in ("csv", "xlsx"):
            print(f"finance download {fmt} on {name} ...", flush=True)
            r = measure_download(url, fmt)
            assert r["streamed"]
            lines.append(f"| {name} | {fmt.upper()} | {ROWS:,} | {r['seconds']:.1f} s | {ROWS / r['seconds']:,.0f} | "
                         f"{r['bytes'] / 1e6:.0f} MB | **{r['peak_mb']:.0f} MB** |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        print(json.dumps(download(sys.argv[2], sys.argv[3])))
    else:
        sys.stdout.write(section())
