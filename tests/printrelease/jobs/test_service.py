"""Capture, listing, deletion and expiry, on SQLite and PostgreSQL."""

import threading
import time
from datetime import timedelta

import pytest

from printrelease.accounts.service import add_user
from printrelease.jobs.errors import JobNotHeld, UnknownJob
from printrelease.jobs.models import JobState
from printrelease.jobs.service import (
    CapturePolicy,
    CaptureRequest,
    capture_job,
    delete_job,
    expire_jobs,
    list_jobs,
    sweep_orphans,
)
from printrelease.db import utcnow
from printrelease.sandbox.documents import make_pdf

KOREAN_TITLE = "예산안 2013.pdf"


@pytest.fixture
def pdf(tmp_path):
    return make_pdf(tmp_path / "doc.pdf", KOREAN_TITLE, pages=3).read_bytes()


def capture(runtime, body, user="김성렬", title=KOREAN_TITLE, options="job-uuid=urn:uuid:a1", copies="2",
            policy=None):
    with runtime.sessions.begin() as session:
        outcome = capture_job(session, runtime.spool, policy or runtime.capture_policy,
                              CaptureRequest(user=user, title=title, options=options, copies=copies), [body])
        return outcome.job.id, outcome.job.state, outcome.duplicate


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


def test_delete_keeps_the_record_and_drops_the_bytes(runtime, pdf):
    job_id, _, _ = capture(runtime, pdf)
    with runtime.sessions.begin() as session:
        add_user(session, "other")
        with pytest.raises(UnknownJob):
            delete_job(session, runtime.spool, job_id, actor="other", owner="other")
    with runtime.sessions.begin() as session:
        delete_job(session, runtime.spool, job_id, actor="김성렬", owner="김성렬")
        assert len(runtime.spool.keys()) == 1, "bytes must outlive an uncommitted delete"
    assert runtime.spool.keys() == set()
    with runtime.sessions.begin() as session:
        with pytest.raises(JobNotHeld):
            delete_job(session, runtime.spool, job_id, actor="admin")


def test_a_rolled_back_delete_keeps_the_bytes(runtime, pdf):
    job_id, _, _ = capture(runtime, pdf)
    with runtime.sessions() as session:
        delete_job(session, runtime.spool, job_id, actor="admin")
        session.rollback()
    assert len(runtime.spool.keys()) == 1


def test_expiry_retires_only_overdue_jobs(runtime, pdf):
    old, _, _ = capture(runtime, pdf, options="job-uuid=urn:uuid:old")
    new, _, _ = capture(runtime, pdf, options="job-uuid=urn:uuid:new")
    with runtime.sessions.begin() as session:
        expired = expire_jobs(session, runtime.spool, now=utcnow() + timedelta(hours=25))
        assert {j.id for j in expired} == {old, new}
        session.rollback()
    with runtime.sessions.begin() as session:
        from printrelease.jobs.models import Job

        session.get(Job, new).expires_at = utcnow() + timedelta(hours=48)
    with runtime.sessions.begin() as session:
        assert [j.id for j in expire_jobs(session, runtime.spool, now=utcnow() + timedelta(hours=25))] == [old]
    with runtime.sessions() as session:
        (job,) = list_jobs(session, states=[JobState.EXPIRED])
        assert "deadline" in job.state_reason and job.events[-1].kind == "expired"
    assert len(runtime.spool.keys()) == 1


def test_orphan_files_are_swept(runtime, pdf):
    capture(runtime, pdf)
    orphan = runtime.spool.receive([b"left by a crash"], 100).commit()
    import os

    os.utime(runtime.spool.path_for(orphan.key), (0, 0))
    with runtime.sessions.begin() as session:
        assert sweep_orphans(session, runtime.spool) == 1
    assert orphan.key not in runtime.spool.keys() and len(runtime.spool.keys()) == 1


def test_colour_is_measured_after_capture_and_charged_page_by_page(runtime, tmp_path):
    from printrelease.release.service import usage_for
    from printrelease.sweeper import sweep_once

    body = make_pdf(tmp_path / "chart.pdf", "예산 차트", pages=21, colour_pages={7}).read_bytes()
    job_id, _, _ = capture(runtime, body, options="job-uuid=urn:uuid:c1", copies="1")
    grey_id, _, _ = capture(runtime, body, options="job-uuid=urn:uuid:c2 print-color-mode=monochrome", copies="1")
    assert sweep_once(runtime, resume_queues=False)["analysed"] == 1, "monochrome jobs need no measuring"
    with runtime.sessions() as session:
        from printrelease.jobs.models import Job

        job = session.get(Job, job_id)
        assert job.color_pages == 1 and session.get(Job, grey_id).color_pages == 0
        from printrelease.printers.models import Printer

        job.printer = Printer(name="p", cups_queue="p")  # where it would print; rolled back below
        usage = usage_for(job)
        assert (usage.color_impressions, usage.mono_impressions) == (1, 20)
        session.rollback()


def test_a_failed_colour_analysis_charges_every_page_as_colour(runtime, pdf):
    from printrelease.jobs.models import Job
    from printrelease.jobs.service import jobs_awaiting_colour_analysis, record_colour_analysis

    job_id, _, _ = capture(runtime, pdf)
    with runtime.sessions.begin() as session:
        assert [j for j, _ in jobs_awaiting_colour_analysis(session)] == [job_id]
        record_colour_analysis(session, job_id, None, "colour analysis failed: gs crashed")
    with runtime.sessions() as session:
        job = session.get(Job, job_id)
        assert job.color_pages == job.pages == 3
        assert jobs_awaiting_colour_analysis(session) == []
