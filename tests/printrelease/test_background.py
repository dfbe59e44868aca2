"""Bulk work runs in a thread of its own at the lowest CPU priority, and hands back its result or error."""

import os
import threading

import pytest

from printrelease.background import run_yielding


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
