"""Bulk work that must give way to people waiting: run in a thread of its own at the lowest CPU priority."""

from __future__ import annotations

import logging
import os
import threading
from typing import Callable, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")

LOWEST = 19  # nice(1)'s lowest priority, where SCHED_IDLE is not to be had


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
    # SCHED_IDLE gives the thread a CFS weight of 3 against a normal thread's 1024: it runs whenever a
    # core is free and at once steps aside for a tap, yet it is never starved outright, so the moments
    # it holds the GIL (between one chunk of C work and the next) stay short. Where that policy is not
    # available, the lowest nice value does nearly as well. On Linux both apply to the calling thread
    # alone (pid 0 here, and a thread id for setpriority; see sched(7) and setpriority(2), BUGS).
    try:
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
        return
    except (AttributeError, OSError) as error:
        log.debug("SCHED_IDLE is not available for a bulk thread: %s", error)
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), LOWEST)
    except (AttributeError, OSError) as error:  # another OS, or not allowed: the work still runs
        log.debug("could not lower the priority of a bulk thread: %s", error)
