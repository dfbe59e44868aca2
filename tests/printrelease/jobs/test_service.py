"""Held jobs after capture: deletion, expiry, orphans, colour; on SQLite and PostgreSQL."""

from datetime import timedelta

import pytest

from printrelease.accounts.service import add_user
from printrelease.db import utcnow
from printrelease.jobs.errors import JobNotHeld, UnknownJob
from printrelease.jobs.models import JobState
from printrelease.jobs.service import delete_job, delete_jobs, expire_jobs, list_jobs, sweep_orphans
from sandbox.documents import make_pdf
from tests.printrelease.jobs.helpers import capture


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


def test_deleting_several_goes_on_past_those_that_cannot_go(runtime, pdf):
    first, _, _ = capture(runtime, pdf, options="job-uuid=urn:uuid:first")
    second, _, _ = capture(runtime, pdf, options="job-uuid=urn:uuid:second")
    with runtime.sessions.begin() as session:
        delete_job(session, runtime.spool, first, actor="admin")
    with runtime.sessions.begin() as session:
        deleted, refusals = delete_jobs(session, runtime.spool, [first, 10_000, second], "김성렬", owner="김성렬")
    assert deleted == 1 and [type(error) for error in refusals] == [JobNotHeld, UnknownJob]
    with runtime.sessions() as session:
        assert {job.id: job.state for job in list_jobs(session)}[second] == JobState.DELETED


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
    from printrelease.jobs.colour_runner import ColourRunner
    from printrelease.usage.service import usage_for
    from printrelease.sweeper import sweep_once

    body = make_pdf(tmp_path / "chart.pdf", "예산 차트", pages=21, colour_pages={7}).read_bytes()
    job_id, _, _ = capture(runtime, body, options="job-uuid=urn:uuid:c1", copies="1")
    grey_id, _, _ = capture(runtime, body, options="job-uuid=urn:uuid:c2 print-color-mode=monochrome", copies="1")
    sweep_once(runtime, resume_queues=False)
    with runtime.sessions() as session:
        from printrelease.jobs.models import Job

        assert session.get(Job, job_id).color_pages is None, "the sweep does not run Ghostscript"
    runner = ColourRunner(runtime.sessions, runtime.spool, interval=60)
    # The monochrome job is looked at for its paper size only; its colour is not measured.
    assert runner.run_once() == 2
    with runtime.sessions() as session:
        from printrelease.jobs.models import Job

        job = session.get(Job, job_id)
        assert job.color_pages == 1 and session.get(Job, grey_id).color_pages == 0
        usage = usage_for(job, "dept-a")
        assert (usage.color_impressions, usage.mono_impressions, usage.printer_name) == (1, 20, "dept-a")


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


@pytest.mark.parametrize("limit", ["time", "memory"])
def test_ghostscript_runs_within_limits_and_a_failure_charges_colour(runtime, tmp_path, limit):
    from printrelease.jobs.colour_runner import ColourRunner
    from printrelease.jobs.models import Job

    body = make_pdf(tmp_path / "chart.pdf", "예산 차트", pages=4, colour_pages={2}).read_bytes()
    job_id, _, _ = capture(runtime, body, options="job-uuid=urn:uuid:c1", copies="1")
    # Ghostscript cannot even start within 10 ms, nor in 16 MB of address space.
    limits = {"timeout": 0.01} if limit == "time" else {"memory_bytes": 16 * 1024 * 1024}
    assert ColourRunner(runtime.sessions, runtime.spool, interval=60, **limits).run_once() == 1
    with runtime.sessions() as session:
        job = session.get(Job, job_id)
        assert job.color_pages == 4 and "colour analysis failed" in job.events[-1].detail


# PostgreSQL only: it alone ends idle transactions.
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_slow_spool_walk_outlasts_the_idle_transaction_timeout(runtime, pdf, monkeypatch, database_url):
    import time

    from printrelease.db import make_engine
    from printrelease.runtime import Runtime
    from printrelease.spool import Spool
    from printrelease.sweeper import sweep_once

    server = Runtime(runtime.settings)
    server.__dict__["engine"] = make_engine(runtime.settings.effective_database_url, idle_transaction_seconds=1)
    original = Spool.sweep_thumbnails
    monkeypatch.setattr(Spool, "sweep_thumbnails", lambda spool: time.sleep(1.5) or original(spool))  # a big spool
    try:
        assert "orphans" in sweep_once(server, resume_queues=False)
    finally:
        server.close()
