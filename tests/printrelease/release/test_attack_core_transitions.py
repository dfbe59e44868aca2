"""Attacks on the guarded transitions as Core statements: a caller's own ORM changes in the same session, and
what the caller's loaded Job says afterwards."""

from datetime import timedelta

from sqlalchemy import select

from printrelease.db import utcnow
from printrelease.jobs import transitions
from printrelease.jobs.models import Job, JobEvent, JobState
from printrelease.jobs.service import delete_job, expire_jobs, get_job
from printrelease.release.lost import resolve_lost_job


def test_a_guard_sees_the_callers_unflushed_orm_changes(runtime, releaser, hold):
    late, moved, mine = hold(), hold(), hold("leejy")
    with runtime.sessions.begin() as session:
        session.get(Job, late).expires_at = utcnow() - timedelta(minutes=1)  # not flushed yet
        assert transitions.expire(session, runtime.spool, late)
        kimsr = session.get(Job, moved).owner_id
        session.get(Job, moved).owner_id = session.get(Job, mine).owner_id  # an administrator moved it
        assert not transitions.delete(session, runtime.spool, moved, "kimsr", owner_id=kimsr)
    assert {job_id: state for job_id, state in _states(runtime).items() if job_id != mine} == {
        late: JobState.EXPIRED, moved: JobState.HELD}


def test_callers_that_read_the_job_after_a_transition_see_its_new_state(runtime, releaser, hold):
    deleted, expired, lost = hold(), hold(), hold()
    with runtime.sessions.begin() as session:
        lease = transitions.claim(session, lost, None, "dept-a", "test:1:0", timedelta(seconds=30), "kimsr")
        assert transitions.lose(session, lost, lease.attempt, "CUPS forgot it", "cups", lease.holder)
    with runtime.sessions.begin() as session:
        for job_id in (deleted, expired, lost):
            get_job(session, job_id).state_reason  # loaded, as a page that shows them first would
        session.get(Job, expired).expires_at = utcnow() - timedelta(minutes=1)
        assert delete_job(session, runtime.spool, deleted, "kimsr", owner="kimsr").state == JobState.DELETED
        assert [job.state for job in expire_jobs(session, runtime.spool)] == [JobState.EXPIRED]
        held_again = resolve_lost_job(session, runtime.spool, lost, False, "admin", utcnow() + timedelta(days=1))
        assert held_again.state == JobState.HELD and held_again.release_attempt is None


def test_each_transition_writes_one_event_with_its_values(runtime, releaser, hold):
    job_id = hold()
    with runtime.sessions.begin() as session:
        assert transitions.delete(session, runtime.spool, job_id, "web:kimsr" + "x" * 10)
    with runtime.sessions() as session:
        (event,) = session.scalars(select(JobEvent).where(JobEvent.job_id == job_id, JobEvent.kind == "deleted"))
        assert event.actor == "web:kimsr" + "x" * 10 and event.at is not None


def _states(runtime):
    with runtime.sessions() as session:
        return dict(session.execute(select(Job.id, Job.state)).all())
