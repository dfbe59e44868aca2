"""Bulk work runs in a thread of its own at the lowest CPU priority, and hands back its result or error."""

import os
import threading

import pytest

from printrelease.background import run_yielding


def test_the_work_runs_in_another_thread_at_idle_priority_and_returns_its_result():
    seen = {}

    def work():
        seen["thread"] = threading.get_ident()
        seen["policy"] = os.sched_getscheduler(0)
        return 42

    assert run_yielding(work) == 42
    assert seen["thread"] != threading.get_ident()
    assert seen["policy"] == os.SCHED_IDLE
    # The caller (a pooled request thread) keeps its own priority.
    assert os.sched_getscheduler(0) == os.SCHED_OTHER


def test_an_error_in_the_work_reaches_the_caller_as_it_is():
    class Broken(Exception):
        pass

    def work():
        raise Broken("the printer went away")

    with pytest.raises(Broken, match="went away"):
        run_yielding(work)


def test_where_idle_scheduling_is_refused_the_work_runs_all_the_same(monkeypatch):
    def refuse(*args):
        raise PermissionError("not allowed")

    monkeypatch.setattr(os, "sched_setscheduler", refuse)
    niceness = {}

    def work():
        niceness["value"] = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
        return "printed"

    assert run_yielding(work) == "printed"
    assert niceness["value"] == 19
