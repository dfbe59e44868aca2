"""Debian's wrk as a load generator: one run's every latency, the server's CPU meanwhile, runs added up."""

from __future__ import annotations

import os
import statistics
import subprocess
from collections import Counter
from pathlib import Path

# Every latency wrk saw (microseconds, and how many requests took it), for the turns to be added up.
WRK_SCRIPT = """done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %d\\n", summary.requests, e.connect + e.read + e.write + e.status +
    e.timeout, summary.duration))
  for i = 1, #latency do
    local value, count = latency(i)
    io.write(string.format("LATENCY %d %d\\n", value, count))
  end
end
"""


def server_cpu(pid: int) -> float:
    """CPU seconds used so far by a process and every descendant still running (the server's workers)."""
    total, waiting = 0.0, [pid]
    while waiting:
        current = waiting.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except FileNotFoundError:
            continue  # ended meanwhile
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        waiting += [int(child) for child in children]
    return total


def wrk(url: str, cookie: str, connections: int, seconds: int, script: Path, server_pid: int) -> dict:
    """One turn of wrk at `url`: its requests, errors, duration, every latency seen, and the server's CPU."""
    cpu, load = server_cpu(server_pid), os.getloadavg()[0]
    done = subprocess.run(["wrk", f"-t{min(connections, 2)}", f"-c{connections}", f"-d{seconds}s", "--timeout", "30s",
                           "-s", str(script), "-H", f"Cookie: {cookie}", url],
                          capture_output=True, text=True, check=True)
    lines = done.stdout.splitlines()
    summary = next(line for line in lines if line.startswith("RESULT "))
    requests, errors, duration = (int(v) for v in summary.split()[1:])
    assert errors == 0, f"{url}: {errors} errors\n{done.stdout[:2000]}"
    latencies = Counter()
    for line in lines:
        if line.startswith("LATENCY "):
            value, count = line.split()[1:]
            latencies[int(value)] += int(count)
    return {"requests": requests, "duration": duration, "latencies": latencies,
            "cpu": server_cpu(server_pid) - cpu, "load": (load + os.getloadavg()[0]) / 2}


def pooled(turns: list[dict]) -> dict:
    """The turns of one page added up: percentiles of all their requests together."""
    latencies = sum((turn["latencies"] for turn in turns), Counter())
    requests = sum(turn["requests"] for turn in turns)

    def percentile(p: float) -> float:
        rank, seen = p / 100 * sum(latencies.values()), 0
        for value in sorted(latencies):
            seen += latencies[value]
            if seen >= rank:
                return value / 1000
        return max(latencies) / 1000

    return {"rps": requests / (sum(turn["duration"] for turn in turns) / 1e6), "p50": percentile(50),
            "p95": percentile(95), "p99": percentile(99), "cpu": sum(turn["cpu"] for turn in turns) * 1000 / requests,
            "load": statistics.mean(turn["load"] for turn in turns)}
