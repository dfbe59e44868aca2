"""Attacks on paced uploads: what a large upload waits for, and how long a tap for it may then take."""

import threading

import pytest

from printrelease.accounts.service import add_user
from printrelease.jobs.models import Job, JobState
from printrelease.printers.models import Printer
from printrelease.printing import QueueInfo
from printrelease.release import service
from printrelease.release.service import ReleasePolicy, Releaser
from printrelease.stations.agent import TapClient
from tests.fakes import FakePrintServer
from tests.printrelease.release.conftest import states

DOCUMENT_200_MB_STEPS = (200 << 20) // (256 << 10)  # CupsPrintServer's steps (UPLOAD_CHUNK) for 200 MB


@pytest.fixture
def two_servers(runtime):
    """dept-a on one CUPS server, dept-b on another, and one releaser (one process) for both."""
    here, elsewhere = FakePrintServer([QueueInfo("dept-a")]), FakePrintServer([QueueInfo("dept-b")])
    here.address, elsewhere.address = "here:631", "elsewhere:631"
    with runtime.sessions.begin() as session:
        session.add_all([Printer(name="dept-a", cups_server="here:631", cups_queue="dept-a"),
                         Printer(name="dept-b", cups_server="elsewhere:631", cups_queue="dept-b")])
        add_user(session, "kimsr", "김성렬")
        add_user(session, "leejy", "이지영")
    servers = {"here:631": here, "elsewhere:631": elsewhere}
    releaser = Releaser(runtime.sessions, runtime.spool, servers.__getitem__, ReleasePolicy(), holder="test:1:0")
    return releaser, here, elsewhere


def _large(runtime, hold, monkeypatch, user="kimsr"):
    job = hold(user, pages=40)
    with runtime.sessions() as session:
        monkeypatch.setattr(service, "BULK_BYTES", session.get(Job, job).size)
    return job


def test_a_large_upload_does_not_wait_for_a_release_at_another_print_server(runtime, two_servers, hold,
                                                                            monkeypatch):
    """The pause exists because one cupsd serves one upload at a time, so a tap at another of its printers
    waits behind it (background.Waiting). A release at a printer on another CUPS server does not queue
    behind this upload at all: pausing for it only slows the large job down, for as long as that release
    takes (a CUPS server that does not answer keeps libcups waiting 30 s; a device check waits 2 s)."""
    releaser, here, elsewhere = two_servers
    large, small = _large(runtime, hold, monkeypatch), hold("leejy")
    monkeypatch.setattr(service, "PACE_SECONDS", 60)  # a pause then lasts as long as what it waits for
    other_stuck, large_done = threading.Event(), threading.Event()
    slow_queue = elsewhere.queue

    def queue(name):  # the other CUPS server is slow to answer the release's check of the queue
        other_stuck.set()
        large_done.wait(10)
        return slow_queue(name)

    elsewhere.queue = queue
    other = threading.Thread(target=lambda: releaser.release("leejy", "dept-b"))
    other.start()
    try:
        assert other_stuck.wait(10)
        result = releaser.release("kimsr", "dept-a")
        still_waiting_elsewhere = other.is_alive()
    finally:
        large_done.set()
        other.join(10)
    assert [r.job_id for r in result.released] == [large]
    assert states(runtime) == {large: JobState.SENT, small: JobState.SENT}
    assert still_waiting_elsewhere, (
        "the upload to this CUPS server waited until a release at another CUPS server was over (10 s here)")


def test_a_large_release_is_answered_within_the_station_agents_timeout_while_taps_keep_coming(
        runtime, two_servers, hold, monkeypatch):
    """The station agent waits TapClient.timeout (30 s) for a tap's answer, "longer than the server's own
    limit for starting a release (5 s) and an upload"; past it the person is told "timeout" and the job
    prints later, unattended. While someone else's release at the same CUPS server runs at every step
    (taps that overlap, at a busy hour), a paced upload of 200 MB (800 steps) once made one step per
    0.5 s, 400 s; it now waits PACE_SECONDS in all.

    Scaled down 50 times (an agent that waits 0.6 s), as real time would take minutes."""
    releaser, here, _ = two_servers
    scale = 50
    monkeypatch.setattr(service, "PACE_SECONDS", service.PACE_SECONDS / scale)
    answer_within = TapClient.timeout / scale
    large = _large(runtime, hold, monkeypatch)
    with runtime.sessions() as session:
        here.PACE_STEP = -(-session.get(Job, large).size // DOCUMENT_200_MB_STEPS)  # a 200 MB one's steps
    answered, taps_over = threading.Event(), threading.Event()

    def others_keep_tapping():  # one release after the other, overlapping: someone is always waiting
        with releaser.waiting.someone("here:631"):
            answered.wait(answer_within)
        taps_over.set()

    taps = threading.Thread(target=others_keep_tapping)
    taps.start()
    try:
        result = releaser.release("kimsr", "dept-a")
        in_time = not taps_over.is_set()
    finally:
        answered.set()
        taps.join(10)
    assert [r.job_id for r in result.released] == [large] and states(runtime) == {large: JobState.SENT}
    assert in_time, (f"a 200 MB release under continuous taps waited past the station agent's "
                     f"{TapClient.timeout:g} s (its pauses may add up to {service.PACE_SECONDS * scale:g} s)")


def test_two_large_releases_at_once_do_not_wait_for_each_other_and_a_failed_one_leaves_the_count_right(
        runtime, two_servers, hold, monkeypatch):
    """What held: each steps aside for its own upload, so neither pauses for the other's (a pause of 60 s
    would show); a large document found damaged in the bulk thread leaves nobody counted as waiting."""
    releaser, here, elsewhere = two_servers
    mine, theirs = _large(runtime, hold, monkeypatch), hold("leejy", pages=40)
    damaged = hold("kimsr", pages=40)
    with runtime.sessions() as session:
        runtime.spool.path_for(session.get(Job, damaged).storage_key).write_bytes(b"not what was captured" * 9999)
    monkeypatch.setattr(service, "PACE_SECONDS", 60)
    both_uploading, results = threading.Barrier(2), {}
    for fake in (here, elsewhere):
        fake.on_submit = lambda _id: None
        original = fake.submit_held

        def submit_held(*args, original=original, **kwargs):
            both_uploading.wait(10)  # each is inside its upload while the other is too
            return original(*args, **kwargs)

        fake.submit_held = submit_held
    other = threading.Thread(target=lambda: results.setdefault("theirs", releaser.release("leejy", "dept-b")))
    other.start()
    results["mine"] = releaser.release("kimsr", "dept-a")
    other.join(20)
    assert not other.is_alive()
    assert [r.job_id for r in results["mine"].released] == [mine]
    assert [r.job_id for r in results["theirs"].released] == [theirs]
    assert states(runtime) == {mine: JobState.SENT, theirs: JobState.SENT, damaged: JobState.FAILED}
    done = threading.Event()
    threading.Thread(target=lambda: (releaser.waiting.pause("here:631", 60), done.set())).start()
    assert done.wait(5), "nobody is waiting any more, yet a pause waits"
