"""Colour analysis speed: printrelease's count of colour pages against `gs -sDEVICE=inkcov` alone, same file."""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from printrelease.analysis import count_colour_pages
from sandbox.documents import make_pdf

PAGES = 60


def timed(work, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        began = time.perf_counter()
        work()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def measure(rounds: int = 5) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        document = make_pdf(Path(folder) / "혼합.pdf", "색상 분석", pages=PAGES,
                            colour_pages=set(range(1, PAGES + 1, 3)))
        gs = ["gs", "-q", "-dBATCH", "-dNOPAUSE", "-dSAFER", "-sDEVICE=inkcov", "-o", "-", str(document)]
        subprocess.run(gs, capture_output=True, check=True)  # warm the page cache and gs's own files
        found = count_colour_pages(document)
        assert found == len(range(1, PAGES + 1, 3)), found
        # Alternate the two, so that a slow spell of the shared machine falls on both alike.
        ours, bare = [], []
        for _ in range(rounds):
            bare.append(timed(lambda: subprocess.run(gs, capture_output=True, check=True), 1))
            ours.append(timed(lambda: count_colour_pages(document), 1))
    ours, bare = statistics.median(ours), statistics.median(bare)
    return {"pages": PAGES, "ours": ours, "bare": bare, "ratio": ours / bare}


def section() -> str:
    print("colour analysis ...", flush=True)
    r = measure()
    return "\n".join([
        "## Colour analysis", "",
        f"A {r['pages']}-page PDF with colour on every third page: `count_colour_pages` (the analysis the server",
        "runs on held jobs) against `gs -sDEVICE=inkcov` run alone on the same file, median of 5 alternating",
        "runs. Target: ratio at most 1.1.", "",
        "| pages | gs alone | printrelease | pages/s | ratio |", "|---|---|---|---|---|",
        f"| {r['pages']} | {r['bare'] * 1000:.0f} ms | {r['ours'] * 1000:.0f} ms | {r['pages'] / r['ours']:.0f} | "
        f"**{r['ratio']:.2f}** |", ""])


if __name__ == "__main__":
    sys.stdout.write(section())
