"""A slow upload is never recovered while its releaser lives, and a releaser that stalls loses its job cleanly:
each job ends with exactly one un-held CUPS copy, followed and charged once (the review's reproduction)."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from printrelease.jobs import transitions
from printrelease.jobs.models import Job, JobState
from printrelease.printing import CANCELED, HELD
from printrelease.release.lease import LeaseKeeper
from printrelease.release.service import ReleasePolicy
from printrelease.usage.models import UsageRecord
from tests.printrelease.release.conftest import states
from tests.waiting import wait_until

SHORT = ReleasePolicy(lease=timedelta(seconds=0.6))


@pytest.fixture
def policy():
    return SHORT


class SlowUpload:
    """The fake server's first upload blocks until the test lets it finish."""

    def __init__(self, server):
        self.started, self.finish, self.calls = threading.Event(), threading.Event(), 0
        server.on_submit = self

    def __call__(self, cups_job_id):
        self.calls += 1
        if self.calls == 1:
            self.started.set()
            assert self.finish.wait(30)


def lease_renewals(runtime, job_id, count):
    """Wait until the lease has been renewed far past its first expiry, `count` leases later."""
    with runtime.sessions() as session:
        first = session.scalar(select(Job.lease_expires_at).where(Job.id == job_id))

    def renewed():
        with runtime.sessions() as session:
            return session.scalar(select(Job.lease_expires_at).where(Job.id == job_id)) > first + SHORT.lease * count

    wait_until(renewed, timeout=30, interval=0.02, what="the lease to be renewed while the upload runs")


def usage_rows(runtime):
    with runtime.sessions() as session:
        return session.scalar(select(func.count()).select_from(UsageRecord))


def test_a_slow_upload_is_not_recovered_and_prints_once(runtime, releaser, server, hold):
    job_id = hold()
    slow = SlowUpload(server)
    first = threading.Thread(target=lambda: releaser.release("kimsr", "dept-a"))
    first.start()
    assert slow.started.wait(10)
    lease_renewals(runtime, job_id, 3)  # well past the time its first lease would have run out
    assert releaser.recover() == 0
    second = releaser.release("kimsr", "dept-a")  # the user, who saw nothing print yet, taps again
    assert second.released == []
    slow.finish.set()
    first.join(10)
    (copy,) = server.remote.values()
    assert copy.state != HELD and states(runtime)[job_id] == JobState.SENT
    server.finish(copy.id)
    assert releaser.follow() == [job_id] and releaser.follow() == []
    assert usage_rows(runtime) == 1


def test_a_stalled_releaser_loses_its_job_and_cancels_its_late_copy(runtime, releaser, server, hold, monkeypatch):
    job_id = hold()
    slow = SlowUpload(server)
    stalled = threading.Event()

    def renew(session, lease, lease_for):  # the stalled process's renewals never reach the database
        stalled.set()
        raise ConnectionError("database unreachable from the stalled releaser")

    monkeypatch.setattr(transitions, "renew", renew)
    first = threading.Thread(target=lambda: releaser.release("kimsr", "dept-a"))
    first.start()
    assert slow.started.wait(10) and stalled.wait(10)
    with releaser.sessions.begin() as session:  # its lease runs out
        session.get(Job, job_id).lease_expires_at = session.get(Job, job_id).lease_expires_at - timedelta(days=1)
    assert releaser.recover() == 1
    assert states(runtime)[job_id] == JobState.HELD
    second = releaser.release("kimsr", "dept-a")  # the user taps again: this copy prints
    (again,) = second.released
    slow.finish.set()
    first.join(10)
    late = next(j for j in server.remote.values() if j.id != again.cups_job_id)
    assert late.state == CANCELED, "the stalled upload's copy must not print"
    assert [j.id for j in server.printed()] == [again.cups_job_id]
    server.finish(again.cups_job_id)
    assert releaser.follow() == [job_id]
    assert usage_rows(runtime) == 1 and states(runtime)[job_id] == JobState.PRINTED


def test_a_slow_release_job_call_keeps_the_lease_and_is_not_recovered(runtime, releaser, server, hold):
    job_id = hold()
    started, finish, original = threading.Event(), threading.Event(), server.release

    def slow_release(*args):  # CUPS takes its time to answer Release-Job
        started.set()
        assert finish.wait(30)
        original(*args)

    server.release = slow_release
    first = threading.Thread(target=lambda: releaser.release("kimsr", "dept-a"))
    first.start()
    assert started.wait(10)
    lease_renewals(runtime, job_id, 3)
    assert releaser.recover() == 0, "the hold is being lifted: the copy must not be cancelled meanwhile"
    finish.set()
    first.join(10)
    (copy,) = server.remote.values()
    assert copy.state != CANCELED and states(runtime)[job_id] == JobState.SENT


def test_one_keeper_renews_each_job_in_turn_and_tells_their_losses_apart(runtime, releaser, hold):
    first, second = hold(), hold()
    with runtime.sessions.begin() as session:
        a = transitions.claim(session, first, None, "dept-a", "test:1:0", SHORT.lease, "kimsr")
        b = transitions.claim(session, second, None, "dept-a", "test:1:0", SHORT.lease, "kimsr")
    with LeaseKeeper(runtime.sessions, SHORT.lease) as keeper:
        keeper.keep(a)
        with runtime.sessions.begin() as session:  # recovery on another server takes the first job over
            job = session.get(Job, first)
            job.lease_holder = "other:2:0"
        wait_until(lambda: keeper.lost(a), timeout=30, interval=0.02, what="the keeper to notice the take-over")
        keeper.keep(b)
        lease_renewals(runtime, second, 2)
        assert not keeper.lost(b)


def test_a_release_with_nothing_to_send_starts_no_keeper_thread(releaser):
    before = {t.name for t in threading.enumerate()}
    assert releaser.release("kimsr", "dept-a").released == []
    assert not {t.name for t in threading.enumerate()} - before
