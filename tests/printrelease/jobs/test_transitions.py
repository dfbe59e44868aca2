"""The job state machine under races: two transitions started at once by a barrier, on SQLite and PostgreSQL,
always end with exactly one winner and a state that both would accept."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from printrelease.accounts.service import add_user
from printrelease.db import utcnow
from printrelease.jobs import transitions
from printrelease.jobs.models import Job, JobEvent, JobState
from printrelease.printers.models import Printer
from printrelease.usage.models import UsageRecord
from printrelease.usage.service import usage_for
from tests.printrelease.jobs.helpers import capture

ROUNDS = 8
LEASE = timedelta(seconds=30)


def race(runtime, *steps):
    """Run each step in its own thread and session, all released at once; the results in step order."""
    barrier, results, errors = threading.Barrier(len(steps)), [None] * len(steps), []

    def run(index, step):
        try:
            with runtime.sessions() as session:
                barrier.wait(10)
                with session.begin():
                    results[index] = step(session)
        except Exception as error:  # noqa: BLE001 - reported by the test below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(i, step)) for i, step in enumerate(steps)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    return results


@pytest.fixture
def printer_id(runtime):
    with runtime.sessions.begin() as session:
        add_user(session, "김성렬")
        printer = Printer(name="dept-a", cups_queue="dept-a")
        session.add(printer)
        session.flush()
        return printer.id


@pytest.fixture
def held(runtime, pdf, printer_id):
    counter = iter(range(10_000))

    def held():
        return capture(runtime, pdf, options=f"job-uuid=urn:uuid:race-{next(counter)}")[0]

    return held


def state_of(runtime, job_id):
    with runtime.sessions() as session:
        return session.get(Job, job_id).state


def claim(printer_id, holder):
    return lambda job_id: lambda session: transitions.claim(session, job_id, printer_id, "dept-a", holder, LEASE,
                                                            holder)


def sent(runtime, job_id, printer_id, cups_job_id=7):
    """A job claimed, recorded and sent, as a releaser leaves it; returns its lease."""
    with runtime.sessions.begin() as session:
        lease = transitions.claim(session, job_id, printer_id, "dept-a", "releaser", LEASE, "kim")
        assert transitions.record(session, lease, cups_job_id, "one-sided", "color", LEASE)
        assert transitions.send(session, lease, "dept-a", cups_job_id, "kim")
    return lease


def test_two_claims_one_winner(runtime, held, printer_id):
    for _ in range(ROUNDS):
        job_id = held()
        first, second = race(runtime, claim(printer_id, "server-1")(job_id), claim(printer_id, "server-2")(job_id))
        assert (first is None) != (second is None)
        assert state_of(runtime, job_id) == JobState.RELEASING


def test_claim_against_delete(runtime, held, printer_id):
    for _ in range(ROUNDS):
        job_id = held()
        lease, deleted = race(runtime, claim(printer_id, "server-1")(job_id),
                              lambda session: transitions.delete(session, runtime.spool, job_id, "kim"))
        assert (lease is None) == deleted
        assert state_of(runtime, job_id) == (JobState.DELETED if deleted else JobState.RELEASING)


def test_claim_against_expire(runtime, held, printer_id):
    for _ in range(ROUNDS):
        job_id = held()
        with runtime.sessions.begin() as session:
            session.get(Job, job_id).expires_at = utcnow() - timedelta(seconds=1)
        lease, expired = race(runtime, claim(printer_id, "server-1")(job_id),
                              lambda session: transitions.expire(session, runtime.spool, job_id))
        # Past its deadline a job is never claimed, whoever comes first: it expires.
        assert lease is None and expired is True
        assert state_of(runtime, job_id) == JobState.EXPIRED


def test_recovery_never_takes_a_live_lease_but_takes_an_expired_one(runtime, held, printer_id):
    job_id = held()
    with runtime.sessions.begin() as session:
        lease = transitions.claim(session, job_id, printer_id, "dept-a", "slow-server", LEASE, "kim")
    for _ in range(ROUNDS):
        renewed, taken = race(runtime, lambda session: transitions.renew(session, lease, LEASE),
                              lambda session: transitions.take_over(session, job_id, lease.attempt, "sweeper", LEASE))
        assert renewed is True and taken is None
    with runtime.sessions.begin() as session:
        assert transitions.renew(session, lease, timedelta(seconds=-1))  # as if it had stopped renewing
    renewed, taken = race(runtime, lambda session: transitions.take_over(session, job_id, lease.attempt, "s1", LEASE),
                          lambda session: transitions.take_over(session, job_id, lease.attempt, "s2", LEASE))
    assert (renewed is None) != (taken is None), "one recovering server wins"
    with runtime.sessions.begin() as session:
        assert not transitions.renew(session, lease, LEASE), "the slow releaser has lost it"
        assert not transitions.send(session, lease, "dept-a", 1, "slow-server")


def test_two_follows_print_and_charge_once(runtime, held, printer_id):
    for _ in range(ROUNDS):
        job_id = held()
        lease = sent(runtime, job_id, printer_id)

        def printed(session):
            if transitions.mark_printed(session, runtime.spool, job_id, lease.attempt, 7, "dept-a"):
                session.add(usage_for(session.get(Job, job_id), "dept-a"))
                return True
            return False

        assert sorted(race(runtime, printed, printed)) == [False, True]
    with runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(UsageRecord)) == ROUNDS
        assert session.scalar(select(func.count()).select_from(JobEvent).where(JobEvent.kind == "printed")) == ROUNDS


def test_follow_printed_against_returned(runtime, held, printer_id):
    for _ in range(ROUNDS):
        job_id = held()
        lease = sent(runtime, job_id, printer_id)
        printed, returned = race(
            runtime, lambda session: transitions.mark_printed(session, runtime.spool, job_id, lease.attempt, 7, "a"),
            lambda session: transitions.return_sent(session, job_id, lease.attempt, 7, "aborted"))
        assert printed != returned
        assert state_of(runtime, job_id) == (JobState.PRINTED if printed else JobState.HELD)


def test_a_return_of_an_old_claim_cannot_undo_a_newer_send(runtime, held, printer_id):
    job_id = held()
    with runtime.sessions.begin() as session:
        old = transitions.claim(session, job_id, printer_id, "dept-a", "server-1", LEASE, "kim")
        transitions.renew(session, old, timedelta(seconds=-1))
    with runtime.sessions.begin() as session:
        taken = transitions.take_over(session, job_id, old.attempt, "server-2", LEASE)
        assert transitions.record(session, taken, 9, "one-sided", "color", LEASE)
        assert transitions.send(session, taken, "dept-a", 9, "recovery")
    with runtime.sessions.begin() as session:
        assert not transitions.unclaim(session, old, "interrupted", "server-1")
        assert not transitions.fail(session, old, "damaged", "server-1")
    assert state_of(runtime, job_id) == JobState.SENT


def test_lost_jobs_wait_for_a_person(runtime, held, printer_id):
    job_id = held()
    lease = sent(runtime, job_id, printer_id)
    with runtime.sessions.begin() as session:
        assert transitions.lose(session, job_id, lease.attempt, "CUPS forgot it", "cups")
        assert not transitions.mark_printed(session, runtime.spool, job_id, lease.attempt, 7, "dept-a")
        assert not transitions.claim(session, job_id, printer_id, "dept-a", "s", LEASE, "kim")
        assert not transitions.expire(session, runtime.spool, job_id, utcnow() + timedelta(days=30))
    assert state_of(runtime, job_id) == JobState.LOST
    with runtime.sessions.begin() as session:
        assert transitions.resolve(session, runtime.spool, job_id, False, "root", utcnow() + timedelta(hours=1))
    with runtime.sessions() as session:
        job = session.get(Job, job_id)
        assert job.state == JobState.HELD and job.printer_id is None and job.expires_at > utcnow()
        assert [e.kind for e in job.events][-2:] == ["lost", "resolved"]
