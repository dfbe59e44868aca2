"""A detail export of a million usage rows as CSV and as XLSX: rows per second and the exporting process's
peak memory, measured in a child process of its own (target: at most 100 MB RSS for the whole export)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from benchmarks.usage_rows import FOLDER, ROWS, databases

LIMIT_MB = 100


def export(url: str, fmt: str, out: Path) -> dict:
    """Run in the child: the whole export as `printrelease report --by detail` does it."""
    from printrelease.db import make_engine, make_session_factory
    from printrelease.reports.engine import Report, Site
    from printrelease.reports.files import write_report
    from printrelease.reports.query import ReportFilter

    sessions = make_session_factory(make_engine(url))
    began = time.perf_counter()
    with sessions() as session, open(out, "wb") as stream:
        report = Report(session, ReportFilter(date(2025, 1, 1), date(2025, 12, 31)), kind="detail", site=Site())
        rows = write_report(report, fmt, stream)
    seconds = time.perf_counter() - began
    peak = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM"))
    return {"rows": rows, "seconds": seconds, "peak_mb": peak / 1024, "bytes": out.stat().st_size}


def measure(url: str, fmt: str) -> dict:
    out = FOLDER / f"detail.{fmt}"
    done = subprocess.run([sys.executable, "-m", "benchmarks.finance_export", "--child", url, fmt, str(out)],
                          capture_output=True, text=True, check=True)
    out.unlink(missing_ok=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def section() -> str:
    lines = ["## Finance: detail export of a million rows", "",
             f"Every one of {ROWS:,} usage rows (benchmarks/usage_rows.py) as the detail report, written by a child",
             "process of its own from a streaming query (a server-side cursor on PostgreSQL) to a file; the peak",
             "is that process's VmHWM, interpreter and imports included. XLSX through openpyxl's write-only mode.",
             f"Target: at most {LIMIT_MB} MB.", "",
             "| database | format | rows | time | rows/s | file | peak RSS |", "|---|---|---|---|---|---|---|"]
    for label, url in databases():
        for fmt in ("csv", "xlsx"):
            print(f"finance export {fmt} on {label} ...", flush=True)
            r = measure(url, fmt)
            lines.append(f"| {label} | {fmt.upper()} | {r['rows']:,} | {r['seconds']:.1f} s | "
                         f"{r['rows'] / r['seconds']:,.0f} | {r['bytes'] / 1e6:.0f} MB | **{r['peak_mb']:.0f} MB** |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        print(json.dumps(export(sys.argv[2], sys.argv[3], Path(sys.argv[4]))))
    else:
        sys.stdout.write(section())
