"""Waiting in tests for something another thread or process does: a poll with a deadline, never a fixed sleep."""

from __future__ import annotations

import time


def wait_until(predicate, timeout: float = 30.0, interval: float = 0.05, what: str = "condition"):
    """The first true value of `predicate()`, polled every `interval` seconds for at most `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)
