"""Bulk work that must give way to people waiting: run in a thread of its own at the lowest CPU priority."""

from __future__ import annotations

import logging
import os
import threading
from typing import Callable, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")

LOWEST = 19  # nice(1)'s lowest priority


def run_yielding(work: Callable[[], T], name: str = "bulk") -> T:
    """Run `work` at the lowest CPU priority and wait for its result (or its exception).

    A 200 MB document takes a server core for most of a second to check and send; at normal priority
    that core is missing from every tap at every other printer meanwhile, on a two-core server. Linux
    schedules each thread on its own, so only this one is lowered. The thread is a new one each time:
    an unprivileged process may lower a thread's priority but never raise it back, and a pooled thread
    would carry the low priority into the next request.
    """
    outcome: dict[str, object] = {}

    def run() -> None:
        _lower_this_thread()
        try:
            outcome["result"] = work()
        except BaseException as error:  # noqa: BLE001 - handed to the waiting caller as it is
            outcome["error"] = error

    thread = threading.Thread(target=run, name=name, daemon=True)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome["result"]  # type: ignore[return-value]


def _lower_this_thread() -> None:
    # The lowest nice value gives the thread a CFS weight of 15 against a normal thread's 1024: a tap
    # gets the core at once, and the upload still gets its share on a server kept busy. SCHED_IDLE
    # (weight 3, and always preempted) answered taps about 2 ms sooner during a 200 MB upload, but an
    # upload beside a core kept busy took five times longer again, without bound: minutes for a tap.
    try:
        # On Linux PRIO_PROCESS with a thread id names that thread alone (see setpriority(2), BUGS).
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), LOWEST)
    except (AttributeError, OSError) as error:  # another OS, or not allowed: the work still runs
        log.debug("could not lower the priority of a bulk thread: %s", error)
