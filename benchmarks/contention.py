"""A tap at printer B while a 200 MB job uploads to printer A, against the same tap with nothing else running.

Both taps go to the server over HTTP, as a station's do; the 200 MB job is released by a tap at A's
station in another thread, so its upload to CUPS runs inside the same server process as the taps at B.
"""

from __future__ import annotations

import threading
import time

from sqlalchemy import select

from printrelease.accounts.service import add_user
from printrelease.cards.service import add_card
from printrelease.jobs.capture import CaptureRequest, capture_job
from printrelease.jobs.models import Job, JobState
from printrelease.printers.service import sync_printers
from printrelease.stations.agent import TapClient
from printrelease.stations.service import add_station
from sandbox.documents import make_large_pdf, make_pdf

BIG, SMALL = "04B16B16B16B16", "04511A11511A11"


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


class _Bench:
    def __init__(self, stack):
        self.stack, self.runtime = stack, stack.runtime
        stack.cupsd.add_folder_printer("dept-b", stack.root / "output" / "dept-b")
        with self.runtime.sessions.begin() as session:
            sync_printers(session, self.runtime.print_server(), only={"dept-b"})
            add_user(session, "big", "대용량")
            add_user(session, "small", "소형")
            add_card(session, self.runtime.card_key, "big", BIG)
            add_card(session, self.runtime.card_key, "small", SMALL)
            url = f"http://127.0.0.1:{stack.port}"
            self.at_a = TapClient(url, add_station(session, "contention-a", "dept-a")[1], timeout=120)
            self.at_b = TapClient(url, add_station(session, "contention-b", "dept-b")[1])
        self.small = make_pdf(stack.root / "small.pdf", "작은 문서", 1).read_bytes()
        self.count = 0

    def hold(self, user: str, body) -> int:
        self.count += 1
        with self.runtime.sessions.begin() as session:
            return capture_job(session, self.runtime.spool, self.runtime.capture_policy,
                               CaptureRequest(user=user, title=f"{user} {self.count}",
                                              options=f"job-uuid=contention-{self.count}"), body).job.id

    def tap_b(self) -> float:
        self.hold("small", [self.small])
        start = time.perf_counter()
        answer = self.at_b.post(SMALL)
        assert answer["outcome"] == "released", answer
        return time.perf_counter() - start

    def state(self, job_id: int) -> JobState:
        with self.runtime.sessions() as session:
            return session.scalar(select(Job.state).where(Job.id == job_id))


def tap_during_upload(stack, samples: int = 40, size: int = 200_000_000) -> dict:
    """Quiet taps and taps during an upload take turns, upload by upload: a slow spell of this shared
    machine then falls on both sides of the ratio alike."""
    bench = _Bench(stack)
    big = make_large_pdf(stack.root / "big.pdf", size)
    quiet, loaded, uploads = [], [], []
    while (len(loaded) < samples or len(quiet) < samples) and len(uploads) < samples:
        for _ in range(min(5, samples - len(quiet))):
            quiet.append(bench.tap_b())
            stack.wait(lambda: stack.cups_busy() == 0)
        with open(big, "rb") as body:
            job_id = bench.hold("big", body)
        started = time.perf_counter()
        upload = threading.Thread(target=lambda: bench.at_a.post(BIG))
        upload.start()
        stack.wait(lambda: bench.state(job_id) != JobState.HELD)
        taken = 0
        while bench.state(job_id) == JobState.RELEASING and len(loaded) < samples and taken < 5:
            took = bench.tap_b()
            if bench.state(job_id) == JobState.RELEASING:  # the whole tap fell inside the upload
                loaded.append(took)
                taken += 1
        upload.join()
        uploads.append(time.perf_counter() - started)
        stack.wait(lambda: stack.cups_busy() == 0, timeout=600)
    big.unlink()
    return {"quiet": quiet, "loaded": loaded, "uploads": uploads, "size_mb": size / 1e6,
            "ratio": _percentile(loaded, 95) / _percentile(quiet, 95)}


def section(result: dict) -> str:
    def ms(values, p):
        return f"{_percentile(values, p) * 1000:.0f} ms"

    quiet, loaded = result["quiet"], result["loaded"]
    verdict = "met" if result["ratio"] <= 1.2 else "not met"
    return "\n".join([
        "## A tap at printer B while a 200 MB job uploads to printer A",
        "",
        "Time from a station's request to the server's answer for a tap at printer B that releases one job,",
        f"with nothing else running, and while the server uploads a {result['size_mb']:.0f} MB job to printer A",
        "(released by a tap at A's station, in the same server process; only taps that fell wholly inside an",
        f"upload count; {len(result['uploads'])} uploads took {min(result['uploads']):.1f} to "
        f"{max(result['uploads']):.1f} s). Quiet taps and taps during an upload took turns, five and five,",
        "so that a slow spell of the machine fell on both. A document of 8 MB or more is checked and sent",
        "from a thread at the lowest CPU priority (printrelease/background.py). Target: p95 at most 1.2",
        "times the quiet p95.",
        "",
        "| | taps | p50 | p95 |",
        "|---|---|---|---|",
        f"| quiet | {len(quiet)} | {ms(quiet, 50)} | {ms(quiet, 95)} |",
        f"| during the upload | {len(loaded)} | {ms(loaded, 50)} | {ms(loaded, 95)} |",
        "",
        f"**Ratio of the p95s: {result['ratio']:.2f}, the target is {verdict}.** Before, one process-wide lock",
        "around every pycups call made such a tap wait for the whole upload.",
        "",
    ])
