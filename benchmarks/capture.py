"""Capture throughput: lp to the virtual queue against lp to a queue that discards, in alternating pairs."""

from __future__ import annotations

import os
import statistics
import time

from benchmarks.stack import BenchStack
from sandbox.documents import make_pdf


def _cpu_per_job(stack: BenchStack, before: dict, lp_before: float, n: int) -> dict:
    after, lp_after = stack.cpu_seconds(), _children_cpu()
    spent = {name: (after[name] - before[name]) / n * 1000 for name in after}
    spent["lp"] = (lp_after - lp_before) / n * 1000
    return spent


def _children_cpu() -> float:
    times = os.times()
    return times.children_user + times.children_system


def _timed_batch(stack: BenchStack, queue: str, n: int, done) -> tuple[float, dict]:
    document = make_pdf(stack.root / "one-page.pdf", "처리량 측정", 1)
    cpu_before, lp_before = stack.cpu_seconds(), _children_cpu()
    start = time.perf_counter()
    for i in range(n):
        stack.lp(queue, document, f"{queue} {i}")
    stack.wait(done)
    return time.perf_counter() - start, _cpu_per_job(stack, cpu_before, lp_before, n)


def capture_pair(stack: BenchStack, n: int, members: int) -> dict:
    """N jobs through the discarding queue, then the same N through a virtual queue of `members`."""
    baseline, baseline_cpu = _timed_batch(stack, "discard", n, lambda: stack.cups_busy() == 0)
    queue = f"secure-{members}"
    already = stack.held_count()
    captured, capture_cpu = _timed_batch(stack, queue, n, lambda: stack.held_count() >= already + n)
    return {"baseline_s": baseline, "capture_s": captured, "ratio": baseline / captured,
            "baseline_cpu": baseline_cpu, "capture_cpu": capture_cpu}


def capture_throughput(stack: BenchStack, n: int, configurations: tuple[int, ...], pairs: int) -> list[dict]:
    """One row per configuration. The configurations take turns pair by pair, so that a slow spell of
    the machine falls on all of them alike; each row's ratio is its total baseline time over its total
    capture time."""
    for members in configurations:
        stack.capture_queue(f"secure-{members}", members)
        capture_pair(stack, 10, members)  # warm-up: filters and backends started once before timing
    runs: dict[int, list[dict]] = {members: [] for members in configurations}
    for _ in range(pairs):
        for members in configurations:
            runs[members].append(capture_pair(stack, n, members))
    return [_summary(members, n, runs[members]) for members in configurations]


def _summary(members: int, n: int, runs: list[dict]) -> dict:
    baseline, captured = sum(r["baseline_s"] for r in runs), sum(r["capture_s"] for r in runs)
    ratios = [r["ratio"] for r in runs]

    def mean_cpu(key: str) -> dict:
        return {name: statistics.mean(r[key][name] for r in runs) for name in runs[0][key]}

    return {"members": members, "n": n, "pairs": len(runs), "baseline_s": baseline / len(runs),
            "capture_s": captured / len(runs), "ratio": baseline / captured, "spread": (min(ratios), max(ratios)),
            "baseline_cpu": mean_cpu("baseline_cpu"), "capture_cpu": mean_cpu("capture_cpu")}
