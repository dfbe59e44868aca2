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


def test_a_large_upload_waits_between_its_steps_while_a_tap_elsewhere_is_released(
        runtime, releaser, server, hold, monkeypatch):
    """cupsd receives one upload at a time: the large one pauses so that the tap at the other printer of
    the same CUPS server is answered first, and goes on as soon as that release has ended (not after its
    longest pause)."""
    large, small = hold("kimsr", pages=40), hold("leejy")
    with runtime.sessions() as session:
        sizes = session.get(Job, large).size, session.get(Job, small).size
    assert sizes[0] > sizes[1]
    monkeypatch.setattr(service, "BULK_BYTES", sizes[0])
    monkeypatch.setattr(service, "PACE_SECONDS", 60)
    at_first_step, small_inside, paused, small_done = (threading.Event() for _ in range(4))
    seen = {}
    real_pause = releaser.waiting.pause

    def pause(on, longest):
        at_first_step.set()
        small_inside.wait(10)
        if "resumed after the tap" not in seen:
            paused.set()
            waited = real_pause(on, longest)
            seen["resumed after the tap"] = small_done.is_set()
            return waited
        return real_pause(on, longest)

    monkeypatch.setattr(releaser.waiting, "pause", pause)

    def on_submit(cups_job_id):
        if server.remote[cups_job_id].owner == "leejy":
            small_inside.set()
            assert paused.wait(10), "the large upload reached its next step"
            small_done.set()  # the tap's release still runs on (hold lifted, sent) until it returns

    server.on_submit = on_submit
    big = threading.Thread(target=lambda: seen.setdefault("large", releaser.release("kimsr", "dept-a")))
    big.start()
    assert at_first_step.wait(10)
    tap = releaser.release("leejy", "dept-mono")
    big.join(10)
    assert not big.is_alive(), "the upload went on when the tap's release ended, not after 60 s"
    assert seen["resumed after the tap"] is True
    assert [r.job_id for r in tap.released] == [small] and [r.job_id for r in seen["large"].released] == [large]
    assert states(runtime) == {large: JobState.SENT, small: JobState.SENT} and len(server.printed()) == 2
