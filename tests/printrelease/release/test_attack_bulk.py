"""Attacks on sending a large document from a thread of the lowest priority: crashes and failures inside it,
and the caller's priority afterwards."""

import os
import threading
from datetime import timedelta

import pytest

from printrelease.background import run_yielding
from printrelease.jobs.models import JobState
from printrelease.printing import CANCELED, PrintServerUnavailable
from printrelease.release import service
from printrelease.release.errors import PrinterUnavailable
from printrelease.release.service import ReleasePolicy
from tests.printrelease.release.conftest import Crash, run_out_leases, states

SHORT = ReleasePolicy(lease=timedelta(seconds=0.6))


@pytest.fixture
def policy():
    return SHORT


@pytest.fixture
def bulk(monkeypatch):
    monkeypatch.setattr(service, "BULK_BYTES", 1)  # every test document counts as large


def priority():
    return os.sched_getscheduler(0), os.getpriority(os.PRIO_PROCESS, threading.get_native_id())


def test_a_crash_inside_the_bulk_thread_reaches_the_caller_and_recovery_prints_once(
        runtime, releaser, server, hold, bulk):
    job_id = hold()
    before, original = priority(), server.submit_held

    def submit_held(*args, **kwargs):  # the copy exists in CUPS, then the process "dies"
        original(*args, **kwargs)
        raise Crash("submit_held")

    server.submit_held = submit_held
    with pytest.raises(Crash):
        releaser.release("kimsr", "dept-a")
    assert priority() == before, "the caller's (pooled) thread must keep its priority"
    assert states(runtime) == {job_id: JobState.RELEASING}
    server.submit_held = original
    run_out_leases(runtime)
    assert releaser.recover() == 1
    (orphan,) = server.remote.values()
    assert orphan.state == CANCELED
    (again,) = releaser.release("kimsr", "dept-a").released
    assert [j.id for j in server.printed()] == [again.cups_job_id]


def test_a_printer_gone_during_a_large_first_upload_holds_it_and_leaves_the_rest(
        runtime, releaser, server, hold, bulk):
    first, second = hold(), hold()
    before = priority()

    def submit_held(*args, **kwargs):
        raise PrintServerUnavailable(address="fake:631", detail="connection reset during the upload")

    server.submit_held = submit_held
    with pytest.raises(PrinterUnavailable):
        releaser.release("kimsr", "dept-a")
    assert priority() == before
    assert states(runtime) == {first: JobState.HELD, second: JobState.HELD} and server.printed() == []


def test_the_callers_priority_is_unchanged_after_work_that_failed_at_the_lowest_priority():
    before = priority()
    for error in (Crash("gone"), SystemExit(3), ValueError("bad")):
        def work():
            raise error
        with pytest.raises(type(error)):
            run_yielding(work)
        assert priority() == before
