"""Bulk work runs in a thread of its own at the lowest CPU priority, hands back its result or error, and
pauses between its steps while someone waits on the process."""

import os
import threading
import time

import pytest

from printrelease.background import Waiting, run_yielding


def _niceness() -> int:
    return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())


def test_the_work_runs_in_another_thread_at_the_lowest_priority_and_returns_its_result():
    seen, before = {}, _niceness()

    def work():
        seen["thread"] = threading.get_ident()
        seen["policy"], seen["nice"] = os.sched_getscheduler(0), _niceness()
        return 42

    assert run_yielding(work) == 42
    assert seen["thread"] != threading.get_ident()
    # Lowered by nice, not SCHED_IDLE: beside a busy core, an idle-policy upload could take minutes.
    assert seen["nice"] == 19 and seen["policy"] == os.SCHED_OTHER
    assert _niceness() == before, "the caller (a pooled request thread) keeps its own priority"


def test_an_error_in_the_work_reaches_the_caller_as_it_is():
    class Broken(Exception):
        pass

    def work():
        raise Broken("the printer went away")

    with pytest.raises(Broken, match="went away"):
        run_yielding(work)


def test_where_lowering_the_priority_is_refused_the_work_runs_all_the_same(monkeypatch):
    def refuse(*args):
        raise PermissionError("not allowed")

    monkeypatch.setattr(os, "setpriority", refuse)
    niceness = {}

    def work():
        niceness["value"] = _niceness()
        return "printed"

    assert run_yielding(work) == "printed"
    assert niceness["value"] == _niceness()


def test_a_pause_returns_at_once_when_nobody_waits_and_when_the_caller_stepped_aside():
    waiting = Waiting()
    waiting.pause("cups-a", 60)  # nobody: no wait at all (a hang here would be the test's timeout)
    with waiting.someone("cups-a"), waiting.stepping_aside("cups-a"):
        waiting.pause("cups-a", 60)  # bulk work inside a release must not wait for that release itself
    with waiting.someone("cups-b"):
        waiting.pause("cups-a", 60)  # someone at another CUPS server does not wait behind this one


def test_a_pause_lasts_while_someone_waits_and_ends_when_the_last_one_is_done():
    waiting, inside, paused, resumed = Waiting(), threading.Barrier(2), threading.Event(), threading.Event()

    def bulk():
        inside.wait(10)
        paused.set()
        waiting.pause("cups-a", 60)
        resumed.set()

    worker = threading.Thread(target=bulk)
    worker.start()
    with waiting.someone("cups-a"):
        with waiting.someone("cups-a"):
            inside.wait(10)
            assert paused.wait(10)
        # One of the two still waits: the bulk work may not go on (it had 0.2 s to do so).
        assert not resumed.wait(0.2)
    worker.join(10)
    assert resumed.is_set() and not worker.is_alive(), "woken when the last one was done, not after 60 s"


def test_a_pacer_waits_no_longer_than_its_budget_in_all_however_busy_and_an_error_leaves_the_count_right():
    waiting = Waiting()
    with pytest.raises(ZeroDivisionError), waiting.someone("cups-a"):
        1 / 0
    with waiting.someone("cups-a"):
        pace, began = waiting.pacer("cups-a", 0.2), time.monotonic()
        for _ in range(50):  # someone waits all along: only the first steps wait, 0.2 s in all
            pace()
        assert time.monotonic() - began < 5
    waiting.pause("cups-a", 60)  # the failed one is not counted as waiting any more
