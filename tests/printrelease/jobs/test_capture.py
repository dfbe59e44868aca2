"""Capture into the spool: Korean metadata, duplicates, races, refusals; on SQLite and PostgreSQL."""

import threading
import time
from datetime import timedelta

import pytest

from printrelease.jobs.capture import CapturePolicy, CaptureRequest, capture_job
from printrelease.jobs.models import JobState
from printrelease.jobs.service import list_jobs
from tests.printrelease.jobs.helpers import KOREAN_TITLE, capture


def test_capture_holds_a_korean_job(runtime, pdf):
    job_id, state, duplicate = capture(runtime, pdf, options="job-uuid=urn:uuid:a1 sides=two-sided-long-edge")
    assert (state, duplicate) == (JobState.HELD, False)
    with runtime.sessions() as session:
        (job,) = list_jobs(session, owner="김성렬")
        assert job.id == job_id and job.title == KOREAN_TITLE and job.owner.display_name == "김성렬"
        assert (job.pages, job.copies, job.sides, job.sheets, job.impressions) == (3, 2, "two-sided-long-edge", 4, 6)
        assert job.expires_at - job.submitted_at == timedelta(hours=24)
        assert runtime.spool.open_verified(job.storage_key, job.sha256).read_bytes() == pdf
        assert [e.kind for e in job.events] == ["captured"]


def test_the_same_cups_job_is_held_once(runtime, pdf):
    first = capture(runtime, pdf)
    second = capture(runtime, pdf)
    assert second == (first[0], JobState.HELD, True)
    with runtime.sessions() as session:
        assert len(list_jobs(session)) == 1
    assert len(runtime.spool.keys()) == 1


def race(runtime, pdf, first_uuid, second_uuid):
    """Capture twice at once: the second waits on the first's open transaction (a unique key on
    PostgreSQL, the write lock on SQLite), then goes on; returns the second's outcome."""
    results = []
    with runtime.sessions() as first:
        capture_job(first, runtime.spool, runtime.capture_policy,
                    CaptureRequest(user="신입", title=KOREAN_TITLE, options=f"job-uuid={first_uuid}"), [pdf])
        second = threading.Thread(
            target=lambda: results.append(capture(runtime, pdf, user="신입", options=f"job-uuid={second_uuid}")))
        second.start()
        time.sleep(0.5)
        first.commit()
        second.join(30)
    assert results, "the second capture failed"
    return results[0]


def test_a_slow_upload_does_not_hold_up_other_captures(runtime, pdf):
    """No transaction is open while a document streams in (on SQLite that would lock out every writer)."""
    halfway, finish = threading.Event(), threading.Event()

    def slow_body():
        yield pdf[:100]
        halfway.set()
        finish.wait(30)
        yield pdf[100:]

    def slow_capture():
        with runtime.sessions.begin() as session:
            capture_job(session, runtime.spool, runtime.capture_policy,
                        CaptureRequest(user="김성렬", title="느린 업로드", options="job-uuid=urn:uuid:slow"), slow_body())

    slow = threading.Thread(target=slow_capture)
    slow.start()
    try:
        assert halfway.wait(10)
        assert capture(runtime, pdf, options="job-uuid=urn:uuid:quick")[1] == JobState.HELD
    finally:
        finish.set()
        slow.join(30)
    with runtime.sessions() as session:
        assert len(list_jobs(session)) == 2


def test_two_captures_of_one_cups_job_racing_keep_one_job_and_one_file(runtime, pdf):
    assert race(runtime, pdf, "urn:uuid:race", "urn:uuid:race")[1:] == (JobState.HELD, True)
    with runtime.sessions() as session:
        assert len(list_jobs(session)) == 1
    assert len(runtime.spool.keys()) == 1


def test_a_newcomers_first_two_jobs_at_once_make_one_user(runtime, pdf):
    assert race(runtime, pdf, "urn:uuid:one", "urn:uuid:two")[1:] == (JobState.HELD, False)
    with runtime.sessions() as session:
        jobs = list_jobs(session, owner="신입")
        assert len(jobs) == 2 and jobs[0].owner_id == jobs[1].owner_id


@pytest.mark.parametrize("body, reason", [(b"", "empty"), (b"%PDF-1.4 broken", "damaged")])
def test_bad_documents_are_recorded_as_rejected(runtime, body, reason):
    job_id, state, _ = capture(runtime, body)
    assert state == JobState.REJECTED
    with runtime.sessions() as session:
        (job,) = list_jobs(session, states=[JobState.REJECTED])
        assert reason in job.state_reason and job.storage_key is None
    assert runtime.spool.keys() == set()


def test_oversize_documents_are_rejected_without_keeping_bytes(runtime, pdf):
    policy = CapturePolicy(max_job_bytes=len(pdf) - 1)
    _, state, _ = capture(runtime, pdf, policy=policy)
    assert state == JobState.REJECTED
    assert runtime.spool.keys() == set() and list(runtime.spool.tmp.iterdir()) == []


def test_hostile_titles_are_only_data(runtime, pdf):
    capture(runtime, pdf, title="../../etc/passwd\x00\x1b[31m", options="job-uuid=urn:uuid:t1")
    capture(runtime, pdf, title="\udcff\udcfe bad", options="job-uuid=urn:uuid:t2")
    with runtime.sessions() as session:
        titles = [job.title for job in list_jobs(session)]
    assert titles[0] == "../../etc/passwd  [31m"
    assert all("/" not in key for key in runtime.spool.keys())


def test_unknown_users_are_refused_when_auto_create_is_off(runtime, pdf):
    from printrelease.accounts.errors import UnknownUser

    with pytest.raises(UnknownUser):
        capture(runtime, pdf, user="stranger", policy=CapturePolicy(auto_create_users=False))
