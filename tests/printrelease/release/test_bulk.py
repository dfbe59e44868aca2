"""A large document is checked and sent from a thread at the lowest priority; a small one from the caller's."""

import os
import threading

from printrelease.jobs.models import Job, JobState
from printrelease.release import service
from tests.printrelease.release.conftest import states


def _watch_submits(server):
    seen = []
    original = server.submit_held

    def submit_held(*args, **kwargs):
        seen.append((threading.get_ident(), os.getpriority(os.PRIO_PROCESS, threading.get_native_id())))
        return original(*args, **kwargs)

    server.submit_held = submit_held
    return seen


def test_a_large_document_is_sent_at_the_lowest_priority_and_still_exactly_once(
        runtime, releaser, server, hold, monkeypatch):
    monkeypatch.setattr(service, "BULK_BYTES", 1)  # every test document counts as large
    seen = _watch_submits(server)
    job = hold()
    result = releaser.release("kimsr", "dept-a")
    assert [r.job_id for r in result.released] == [job]
    assert seen[0][0] != threading.get_ident() and seen[0][1] == 19
    assert len(server.printed()) == 1 and states(runtime) == {job: JobState.SENT}


def test_a_small_document_is_sent_from_the_callers_thread(runtime, releaser, server, hold):
    seen = _watch_submits(server)
    hold()
    releaser.release("kimsr", "dept-a")
    assert seen == [(threading.get_ident(), os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))]


def test_a_damaged_large_document_fails_from_the_bulk_thread_without_blocking_others(
        runtime, releaser, server, hold, monkeypatch):
    monkeypatch.setattr(service, "BULK_BYTES", 1)
    damaged, good = hold(), hold()
    with runtime.sessions() as session:
        runtime.spool.path_for(session.get(Job, damaged).storage_key).write_bytes(b"not what was captured")
    result = releaser.release("kimsr", "dept-a")
    assert [r.job_id for r in result.released] == [good]
    assert states(runtime) == {damaged: JobState.FAILED, good: JobState.SENT}
