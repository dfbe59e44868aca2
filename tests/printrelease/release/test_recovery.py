"""Recovery settles only its own release attempt: the owner's other CUPS copies (the same title again,
another release in flight) are left alone; and a lease is judged by the database's clock, not a server's."""

from datetime import timedelta

import pytest
from sqlalchemy import update

from printrelease.db import utcnow
from printrelease.jobs import transitions
from printrelease.jobs.models import Job, JobState
from printrelease.printing import CANCELED, HELD
from printrelease.release import recovery
from tests.printrelease.release.conftest import Crash, crashing, states


def run_out_lease(runtime, job_id):
    with runtime.sessions.begin() as session:
        session.execute(update(Job).where(Job.id == job_id).values(lease_expires_at=utcnow() - timedelta(seconds=1)))


def test_recovery_cancels_only_the_copy_of_the_attempt_it_took_over(runtime, releaser, server, hold):
    crashed, other = hold(), hold()
    with runtime.sessions.begin() as session:  # the owner printed the same document twice
        session.execute(update(Job).values(title="예산안 최종.pdf"))
    restore = crashing(server, "submit_held")
    with pytest.raises(Crash):
        releaser.release("kimsr", "dept-a", [crashed])
    restore()
    (orphan,) = server.remote
    restore = crashing(server, "release")  # another release of that title, in flight: its copy is on hold
    with pytest.raises(Crash):
        releaser.release("kimsr", "dept-a", [other])
    restore()
    (live,) = set(server.remote) - {orphan}
    run_out_lease(runtime, crashed)
    assert releaser.recover() == 1
    assert states(runtime) == {crashed: JobState.HELD, other: JobState.RELEASING}
    assert server.remote[orphan].state == CANCELED
    assert server.remote[live].state == HELD, "another release's copy is not this attempt's to cancel"


def test_a_copy_of_an_earlier_attempt_of_the_same_job_is_not_taken_for_this_one(runtime, releaser, server, hold):
    job_id = hold()
    restore = crashing(server, "submit_held")
    with pytest.raises(Crash):
        releaser.release("kimsr", "dept-a")
    restore()
    (first,) = server.remote
    with runtime.sessions.begin() as session:  # as if a person had put it back on hold by hand
        session.execute(update(Job).where(Job.id == job_id).values(release_attempt="not-the-first-attempt"))
    run_out_lease(runtime, job_id)
    assert releaser.recover() == 1
    assert server.remote[first].state == HELD and states(runtime)[job_id] == JobState.HELD


# PostgreSQL only: SQLite serves one server (its workers share one host), whose clock is the only one.
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_server_whose_clock_runs_ahead_leaves_live_leases_alone(runtime, releaser, server, hold,
                                                                  monkeypatch, database_url):
    job_id = hold()
    restore = crashing(server, "release")  # a live release, its lease just stamped
    with pytest.raises(Crash):
        releaser.release("kimsr", "dept-a")
    restore()
    ahead = lambda: utcnow() + timedelta(hours=1)  # noqa: E731 - this server's clock, an hour fast
    monkeypatch.setattr(transitions, "utcnow", ahead)
    monkeypatch.setattr(recovery, "utcnow", ahead, raising=False)
    assert releaser.recover() == 0, "a lease is stamped and compared by the database's clock"
    assert states(runtime)[job_id] == JobState.RELEASING and [j.state for j in server.remote.values()] == [HELD]


def test_a_copy_that_printed_while_recovery_cancelled_it_is_charged_not_held_again(runtime, releaser, server,
                                                                                   hold):
    job_id = hold()
    restore = crashing(server, "release")
    with pytest.raises(Crash):
        releaser.release("kimsr", "dept-a")
    restore()
    (copy,) = server.remote
    original = server.cancel

    def cancel_too_late(cups_job_id, owner):  # the stalled releaser lifted the hold, and it printed
        server.finish(cups_job_id)
        original(cups_job_id, owner)

    server.cancel = cancel_too_late
    run_out_lease(runtime, job_id)
    assert releaser.recover() == 1
    assert states(runtime)[job_id] == JobState.SENT, "printed: not to be held and printed again"
    assert releaser.follow() == [job_id] and states(runtime)[job_id] == JobState.PRINTED
