"""Bulk work that must give way to people waiting: run at the lowest CPU priority, paused while they wait."""

from __future__ import annotations

import logging
import os
import threading
import time
from contextlib import contextmanager
from typing import Callable, Iterator, TypeVar

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


class Waiting:
    """Who is waiting on this process right now (a tap, a release from a page), by what they wait on (a
    CUPS server), for bulk work on the same to pause between its steps meanwhile.

    A lower CPU priority is not enough when the bulk work loads another process: a 200 MB upload keeps
    cupsd, which is single-threaded, busy receiving it and writing it to disk, and a tap at another of
    its printers then waits behind it, whatever our threads' priorities. Between two chunks the upload
    waits while anyone waits on the same CUPS server, within a budget: it goes on, at full speed, once
    it has waited that long in all, however many people come one after the other.
    """

    def __init__(self):
        self._counts: dict[str, int] = {}
        self._changed = threading.Condition()

    @contextmanager
    def someone(self, on: str) -> Iterator[None]:
        """Around work that a person waits for, on `on`."""
        self._add(on, 1)
        try:
            yield
        finally:
            self._add(on, -1)

    @contextmanager
    def stepping_aside(self, on: str) -> Iterator[None]:
        """Inside `someone(on)`: the part that is bulk work itself, which must not wait for its own caller."""
        self._add(on, -1)
        try:
            yield
        finally:
            self._add(on, 1)

    def _add(self, on: str, change: int) -> None:
        with self._changed:
            count = self._counts.get(on, 0) + change
            if count:
                self._counts[on] = count
            else:
                self._counts.pop(on, None)
                self._changed.notify_all()

    def pause(self, on: str, longest: float) -> float:
        """Wait while someone waits on `on`, `longest` seconds at most; returns how long it waited."""
        began = time.monotonic()
        with self._changed:
            self._changed.wait_for(lambda: self._counts.get(on, 0) <= 0, longest)
        return time.monotonic() - began

    def pacer(self, on: str, budget: float) -> Callable[[], None]:
        """A pause to call between the steps of bulk work on `on`, which waits `budget` seconds in all."""
        left = budget

        def pace() -> None:
            nonlocal left
            if left > 0:
                left -= self.pause(on, left)

        return pace
