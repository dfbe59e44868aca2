"""Attacks on the one lease keeper per release: a lost job then the next, renewals racing the last steps,
a keeper that dies, a release that raises."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from printrelease.jobs import transitions
from printrelease.jobs.models import Job, JobState
from printrelease.printing import CANCELED, PrintServerUnavailable
from printrelease.release.errors import PrinterUnavailable
from printrelease.release.service import ReleasePolicy
from tests.printrelease.release.conftest import Crash, states
from tests.waiting import wait_until

SHORT = ReleasePolicy(lease=timedelta(seconds=0.6))


@pytest.fixture
def policy():
    return SHORT


class BlockedUploads:
    """Each upload the test names blocks, its copy already in CUPS, until the test lets it go on."""

    def __init__(self, server, *calls):
        self.started = {n: threading.Event() for n in calls}
        self.go = {n: threading.Event() for n in calls}
        self.calls = 0
        server.on_submit = self

    def __call__(self, cups_job_id):
        self.calls += 1
        if self.calls in self.started:
            self.started[self.calls].set()
            assert self.go[self.calls].wait(30)


def spy_renewals(monkeypatch):
    """Record each renewal's answer, by job, without changing what it does."""
    answers, real = {}, transitions.renew
    lost = threading.Event()

    def renew(session, lease, lease_for):
        won = real(session, lease, lease_for)
        answers.setdefault(lease.job_id, []).append(won)
        if not won:
            lost.set()
        return won

    monkeypatch.setattr(transitions, "renew", renew)
    return answers, lost


def keeper_threads():
    return [t for t in threading.enumerate() if t.name.startswith("lease-")]


def lease_of(runtime, job_id):
    with runtime.sessions() as session:
        return session.scalar(select(Job.lease_expires_at).where(Job.id == job_id))


def test_a_job_taken_over_midway_is_cancelled_and_the_next_one_keeps_its_lease(
        runtime, releaser, server, hold, monkeypatch):
    first, second = hold(), hold()
    uploads = BlockedUploads(server, 1, 2)
    answers, lost = spy_renewals(monkeypatch)
    release = threading.Thread(target=lambda: releaser.release("kimsr", "dept-a"))
    release.start()
    assert uploads.started[1].wait(10)
    with runtime.sessions.begin() as session:  # recovery on another server takes the first job over
        session.get(Job, first).lease_holder = "other:2:0"
    assert lost.wait(10), "the keeper must notice the take-over"
    uploads.go[1].set()
    assert uploads.started[2].wait(10)
    # The second job's lease must outlive several of its lengths while its upload runs.
    claimed = lease_of(runtime, second)
    wait_until(lambda: lease_of(runtime, second) > claimed + SHORT.lease * 3, timeout=30, interval=0.02,
               what="the second job's lease to be renewed")
    releaser.recover()  # settles the first job (its taker never renews it), and must leave the second alone
    with runtime.sessions() as session:
        assert session.get(Job, second).lease_holder == "test:1:0"
    uploads.go[2].set()
    release.join(10)
    late, kept = sorted(server.remote.values(), key=lambda j: j.id)
    assert late.state == CANCELED, "the first job's copy was made under a lease it had lost"
    assert [j.id for j in server.printed()] == [kept.id]
    assert states(runtime) == {first: JobState.HELD, second: JobState.SENT}
    assert False in answers[first] and all(answers[second])


@pytest.mark.parametrize("step", ["send", "unclaim"])
def test_a_renewal_racing_the_last_step_of_a_job_changes_nothing(runtime, releaser, server, hold, monkeypatch, step):
    job_id = hold()
    lifting, racing, real_renew = threading.Event(), threading.Event(), transitions.renew
    real_step = getattr(transitions, step)

    def renew(session, lease, lease_for):
        # Once the hold is being lifted, the renewal waits (inside the keeper's lock) for the last step
        # to start, and then runs alongside it.
        if lifting.is_set() and not racing.is_set():
            assert racing.wait(30)
        return real_renew(session, lease, lease_for)

    def last_step(*args, **kwargs):
        racing.set()
        return real_step(*args, **kwargs)

    original_release = server.release

    def release(cups_job_id, owner):
        lifting.set()
        # Wait for a renewal to be parked on the race, so that it truly overlaps the last step.
        wait_until(lambda: renewals_parked(), timeout=30, interval=0.01, what="a renewal to wait for the race")
        if step == "unclaim":
            raise PrintServerUnavailable(address="fake:631", detail="connection reset while releasing")
        original_release(cups_job_id, owner)

    parked = []

    def renewals_parked():
        return parked

    def parking_renew(session, lease, lease_for):
        if lifting.is_set() and not racing.is_set():
            parked.append(lease)
        return renew(session, lease, lease_for)

    monkeypatch.setattr(transitions, "renew", parking_renew)
    monkeypatch.setattr(transitions, step, last_step)
    server.release = release
    if step == "send":
        result = releaser.release("kimsr", "dept-a")
        assert [r.job_id for r in result.released] == [job_id]
        assert states(runtime) == {job_id: JobState.SENT} and len(server.printed()) == 1
    else:
        with pytest.raises(PrinterUnavailable):
            releaser.release("kimsr", "dept-a")
        assert states(runtime) == {job_id: JobState.HELD} and server.printed() == []
        (copy,) = server.remote.values()
        assert copy.state == CANCELED
    assert not keeper_threads()


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_a_keeper_that_dies_leaves_nothing_printed_twice(runtime, releaser, server, hold, monkeypatch):
    """The keeper catches Exception only: a BaseException ends its thread, for the rest of the release."""
    job_id = hold()
    uploads = BlockedUploads(server, 1)
    died = threading.Event()

    def renew(session, lease, lease_for):
        died.set()
        raise Crash("renewal")

    monkeypatch.setattr(transitions, "renew", renew)
    outcome = {}
    release = threading.Thread(target=lambda: outcome.setdefault("result", releaser.release("kimsr", "dept-a")))
    release.start()
    assert uploads.started[1].wait(10) and died.wait(10)
    wait_until(lambda: not keeper_threads(), timeout=10, interval=0.01, what="the keeper thread to end")
    with runtime.sessions.begin() as session:  # nothing renews now: the lease runs out
        session.get(Job, job_id).lease_expires_at -= timedelta(days=1)
    assert releaser.recover() == 1
    uploads.go[1].set()
    release.join(10)
    assert outcome["result"].released == [] and server.printed() == []
    assert states(runtime) == {job_id: JobState.HELD}


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_after_the_keeper_dies_the_next_job_still_has_its_lease_renewed(runtime, releaser, server, hold, monkeypatch):
    hold()  # the first job, whose upload the dying renewal falls in
    second = hold()
    uploads = BlockedUploads(server, 2)
    calls, real = [], transitions.renew

    def renew(session, lease, lease_for):
        calls.append(lease.job_id)
        if len(calls) == 1:
            raise Crash("renewal")  # the first renewal of the release kills the thread
        return real(session, lease, lease_for)

    monkeypatch.setattr(transitions, "renew", renew)
    original = server.submit_held
    first_upload = threading.Event()

    def submit_held(*args, **kwargs):
        if not first_upload.is_set():
            first_upload.set()
            wait_until(lambda: calls, timeout=30, interval=0.01, what="the first renewal")
        return original(*args, **kwargs)

    server.submit_held = submit_held
    release = threading.Thread(target=lambda: releaser.release("kimsr", "dept-a"))
    release.start()
    try:
        assert uploads.started[2].wait(10)
        claimed = lease_of(runtime, second)
        wait_until(lambda: lease_of(runtime, second) > claimed + SHORT.lease, timeout=3 * SHORT.lease.total_seconds(),
                   interval=0.02, what="the second job's lease to be renewed")
    finally:
        uploads.go[2].set()
        release.join(10)


@pytest.mark.parametrize("failure", ["crash", "printer gone"])
def test_a_release_that_raises_ends_its_keeper_thread(runtime, releaser, server, hold, failure):
    job_id = hold()

    def submit_held(*args, **kwargs):
        if failure == "crash":
            raise Crash("submit_held")
        raise PrintServerUnavailable(address="fake:631", detail="connection refused")

    server.submit_held = submit_held
    with pytest.raises(Crash if failure == "crash" else PrinterUnavailable):
        releaser.release("kimsr", "dept-a")
    assert not keeper_threads(), "a keeper left running would renew a lease nobody uses"
    expected = JobState.RELEASING if failure == "crash" else JobState.HELD
    assert states(runtime) == {job_id: expected}
