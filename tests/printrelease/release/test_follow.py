"""Following sent jobs against a fake CUPS: forgotten jobs are lost, not printed again; jobs that never
start are cancelled and held again, not printed unattended hours later."""

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from printrelease.db import utcnow
from printrelease.jobs.models import Job, JobState
from printrelease.printing import CANCELED, PENDING, PROCESSING, DeviceStatus, PrintServerUnavailable
from printrelease.release.lost import resolve_lost_job
from printrelease.usage.models import UsageRecord
from tests.printrelease.release.conftest import DUPLEX_COLOUR, states


def sent_long_ago(runtime, job_id):
    with runtime.sessions.begin() as session:
        session.execute(update(Job).where(Job.id == job_id).values(released_at=utcnow() - timedelta(hours=1)))


def test_a_job_cups_forgot_is_lost_not_held_again_and_a_person_resolves_it(runtime, releaser, server, hold):
    job_id = hold()
    (sent,) = releaser.release("kimsr", "dept-a").released
    del server.remote[sent.cups_job_id]  # CUPS purged its history (MaxJobs) while we were away
    assert releaser.follow() == [job_id]
    assert states(runtime)[job_id] == JobState.LOST
    assert releaser.release("kimsr", "dept-a").released == [], "a lost job is never released again by itself"
    with runtime.sessions() as session:
        assert session.scalars(select(UsageRecord)).all() == []
        assert "check at the printer" in session.get(Job, job_id).state_reason
    with runtime.sessions.begin() as session:
        resolve_lost_job(session, runtime.spool, job_id, True, "root", utcnow())
    with runtime.sessions() as session:
        (usage,) = session.scalars(select(UsageRecord)).all()
        assert usage.printer_name == "dept-a" and session.get(Job, job_id).state == JobState.PRINTED


def test_a_job_the_printer_never_starts_is_cancelled_and_held_again(runtime, releaser, server, hold):
    job_id = hold()
    (sent,) = releaser.release("kimsr", "dept-a").released
    assert releaser.follow() == [] and server.remote[sent.cups_job_id].state == PENDING
    sent_long_ago(runtime, job_id)
    assert releaser.follow() == [job_id]
    assert server.remote[sent.cups_job_id].state == CANCELED
    with runtime.sessions() as session:
        job = session.get(Job, job_id)
        assert job.state == JobState.HELD and "did not start printing within 3 minutes" in job.state_reason


@pytest.mark.parametrize("device, held", [(DeviceStatus(reasons=("media-empty-report",)), True),
                                          (None, True),  # the device does not answer
                                          (DeviceStatus(reasons=("toner-low-warning",)), False)])
def test_a_job_processing_at_a_printer_in_trouble_is_held_again(runtime, releaser, server, hold, device, held):
    job_id = hold()
    (sent,) = releaser.release("kimsr", "dept-a").released
    server.remote[sent.cups_job_id] = server.remote[sent.cups_job_id].__class__(sent.cups_job_id, PROCESSING,
                                                                                queue="dept-a")
    server.devices[DUPLEX_COLOUR.device_uri] = device
    sent_long_ago(runtime, job_id)
    assert releaser.follow() == ([job_id] if held else [])
    assert states(runtime)[job_id] == (JobState.HELD if held else JobState.SENT)


def test_a_completed_job_is_charged_even_while_its_queue_cannot_be_read(runtime, releaser, server, hold):
    job_id = hold()
    (sent,) = releaser.release("kimsr", "dept-a").released
    server.finish(sent.cups_job_id)

    def queue_fails(name):
        raise PrintServerUnavailable(address=server.address, detail="client-error-not-found")

    server.queue = queue_fails
    assert releaser.follow() == [job_id] and states(runtime)[job_id] == JobState.PRINTED


def test_a_job_cups_forgets_after_our_cancel_is_held_again_not_lost(runtime, releaser, server, hold):
    # CUPS with PreserveJobHistory off forgets a job the moment it ends, cancelled ones too.
    job_id = hold()
    (sent,) = releaser.release("kimsr", "dept-a").released
    server.remote[sent.cups_job_id] = replace(server.remote[sent.cups_job_id], state=PROCESSING)
    server.cancel = lambda cups_job_id, owner: None  # the backend takes a while to stop
    server.devices[DUPLEX_COLOUR.device_uri] = DeviceStatus(reasons=("media-empty-report",))
    sent_long_ago(runtime, job_id)
    assert releaser.follow() == [] and states(runtime)[job_id] == JobState.SENT
    del server.remote[sent.cups_job_id]  # cancelled at last, and forgotten at once
    assert releaser.follow() == [job_id]
    assert states(runtime)[job_id] == JobState.HELD, "ended by our own cancel: held again, not lost"
