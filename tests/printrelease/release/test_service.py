"""Release logic against a fake print server: order, adaptation, outcomes, crashes, races."""

import threading

import pytest
from sqlalchemy import select, update

from printrelease.accounts.service import set_active
from printrelease.jobs.capture import CaptureRequest, capture_job
from printrelease.jobs.errors import UnknownJob
from printrelease.jobs.models import Job, JobState
from printrelease.printing import ABORTED, CANCELED, HELD, PRINTER_STOPPED, PrintServerUnavailable, QueueInfo
from printrelease.release.errors import PrinterUnavailable
from printrelease.usage.models import UsageIsImmutable, UsageRecord
from sandbox.documents import make_pdf
from tests.printrelease.release.conftest import Crash, crashing, run_out_leases, states


def test_release_sends_only_the_users_held_jobs_oldest_first(runtime, releaser, server, hold):
    first, second = hold(), hold(pages=2)
    other = hold(user="leejy")
    result = releaser.release("kimsr", "dept-a")
    assert [r.job_id for r in result.released] == [first, second] and result.pages == 3
    assert result.display_name == "김성렬"
    assert [j.owner for j in server.printed()] == ["kimsr", "kimsr"]
    assert states(runtime) == {first: JobState.SENT, second: JobState.SENT, other: JobState.HELD}


def test_a_second_release_finds_nothing(releaser, hold):
    hold()
    assert len(releaser.release("kimsr", "dept-a").released) == 1
    assert releaser.release("kimsr", "dept-a").released == []


def test_named_jobs_must_be_the_users_own(releaser, hold):
    theirs = hold(user="leejy")
    with pytest.raises(UnknownJob):
        releaser.release("kimsr", "dept-a", [theirs])


def test_completed_jobs_are_printed_and_charged_once(runtime, releaser, server, hold):
    job_id = hold(pages=3, options="copies=1 sides=two-sided-long-edge")
    (sent,) = releaser.release("kimsr", "dept-a").released
    assert releaser.follow() == []
    server.finish(sent.cups_job_id)
    assert releaser.follow() == [job_id]
    assert releaser.follow() == []
    with runtime.sessions() as session:
        (usage,) = session.scalars(select(UsageRecord)).all()
        assert (usage.user_login, usage.department_code, usage.printer_name) == ("kimsr", "budget", "dept-a")
        assert (usage.pages, usage.sheets, usage.impressions) == (3, 2, 3)
        job = session.get(Job, job_id)
        assert job.state == JobState.PRINTED and job.storage_key not in runtime.spool.keys()
        usage.pages = 1
        with pytest.raises(UsageIsImmutable):
            session.commit()


def test_options_are_adapted_to_the_printer(runtime, releaser, server, hold):
    hold(options="sides=two-sided-long-edge print-color-mode=color")
    (sent,) = releaser.release("kimsr", "dept-mono").released
    assert "sides" not in server.options[sent.cups_job_id]
    with runtime.sessions() as session:
        job = session.get(Job, sent.job_id)
        assert (job.sides, job.color_mode) == ("one-sided", "monochrome")
        assert [e.kind for e in job.events].count("adapted") == 2


@pytest.mark.parametrize("state, word", [(ABORTED, "aborted"), (CANCELED, "cancelled")])
def test_aborted_or_cancelled_jobs_are_held_again_uncharged(runtime, releaser, server, hold, state, word):
    job_id = hold()
    (sent,) = releaser.release("kimsr", "dept-a").released
    server.finish(sent.cups_job_id, state, "paper jam")
    releaser.follow()
    with runtime.sessions() as session:
        job = session.get(Job, job_id)
        assert job.state == JobState.HELD and word in job.state_reason and "paper jam" in job.state_reason
        assert session.scalars(select(UsageRecord)).all() == []
    assert len(releaser.release("kimsr", "dept-a").released) == 1


def test_a_printer_that_stops_gets_its_job_cancelled_and_held_again(runtime, releaser, server, hold):
    job_id = hold()
    (sent,) = releaser.release("kimsr", "dept-a").released
    server.queue_infos["dept-a"] = QueueInfo("dept-a", state=PRINTER_STOPPED, state_message="jam in tray 2")
    releaser.follow()
    assert server.remote[sent.cups_job_id].state == CANCELED
    assert states(runtime)[job_id] == JobState.HELD


def test_a_stopped_or_unreachable_printer_releases_nothing(runtime, releaser, server, hold):
    job_id = hold()
    server.queue_infos["dept-a"] = QueueInfo("dept-a", state=PRINTER_STOPPED, state_message="jam")
    with pytest.raises(PrinterUnavailable, match="jam"):
        releaser.release("kimsr", "dept-a")
    server.down = True
    with pytest.raises(PrinterUnavailable):
        releaser.release("kimsr", "dept-a")
    assert states(runtime)[job_id] == JobState.HELD and server.remote == {}


def test_a_damaged_document_fails_without_blocking_the_others(runtime, releaser, server, hold):
    bad, good = hold(), hold()
    with runtime.sessions() as session:
        runtime.spool.path_for(session.get(Job, bad).storage_key).write_bytes(b"tampered")
    result = releaser.release("kimsr", "dept-a")
    (problem,) = result.problems
    assert [r.job_id for r in result.released] == [good] and problem.code == "job_not_sent"
    assert "checksum" in problem.words("en") and "체크섬" in problem.words("ko"), "worded by each edge"
    assert states(runtime)[bad] == JobState.FAILED


def test_crash_after_submit_before_record_cancels_the_orphan(runtime, releaser, server, hold):
    job_id = hold()
    restore = crashing(server, "submit_held")
    with pytest.raises(Crash):
        releaser.release("kimsr", "dept-a")
    restore()
    assert states(runtime)[job_id] == JobState.RELEASING
    run_out_leases(runtime)
    assert releaser.recover() == 1
    assert [j.state for j in server.remote.values()] == [CANCELED]
    assert states(runtime)[job_id] == JobState.HELD
    (again,) = releaser.release("kimsr", "dept-a").released
    assert len(server.printed()) == 1 and server.remote[again.cups_job_id].state != HELD


def test_crash_before_the_hold_is_lifted_cancels_the_copy_and_holds_the_job(runtime, releaser, server, hold):
    job_id = hold()
    restore = crashing(server, "release")
    with pytest.raises(Crash):
        releaser.release("kimsr", "dept-a")
    restore()
    assert [j.state for j in server.remote.values()] == [HELD]
    run_out_leases(runtime)
    assert releaser.recover() == 1
    # Its owner left the printer long ago: held again, not printed unattended.
    assert states(runtime)[job_id] == JobState.HELD and [j.state for j in server.remote.values()] == [CANCELED]


def test_crash_after_the_hold_is_lifted_is_followed_as_sent(runtime, releaser, server, hold):
    job_id = hold()
    original = server.release

    def release_then_crash(*args):
        original(*args)
        raise Crash("after release")

    server.release = release_then_crash
    with pytest.raises(Crash):
        releaser.release("kimsr", "dept-a")
    server.release = original
    run_out_leases(runtime)
    assert releaser.recover() == 1
    assert states(runtime)[job_id] == JobState.SENT and len(server.printed()) == 1


def test_cups_failing_between_submit_and_release_leaves_no_copy_behind(runtime, releaser, server, hold):
    first, second = hold(), hold()
    original = server.release

    def release_fails(*args):
        server.down = True
        try:
            original(*args)
        finally:
            server.down = False

    server.release = release_fails
    with pytest.raises(PrinterUnavailable):
        releaser.release("kimsr", "dept-a")
    assert states(runtime) == {first: JobState.HELD, second: JobState.HELD}
    assert [j.state for j in server.remote.values()] == [CANCELED]


def test_recovery_leaves_live_releases_alone(runtime, releaser, server, hold):
    hold()
    restore = crashing(server, "release")
    with pytest.raises(Crash):
        releaser.release("kimsr", "dept-a")
    restore()
    assert releaser.recover() == 0, "its lease has not run out: it may be alive"


def test_racing_releasers_print_each_job_once(runtime, server, releaser, hold):
    jobs = [hold() for _ in range(8)]
    results, barrier = [], threading.Barrier(4)

    def run(printer):
        barrier.wait()
        results.append(releaser.release("kimsr", printer))

    threads = [threading.Thread(target=run, args=(p,)) for p in ("dept-a", "dept-mono") * 2]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    released = [r.job_id for result in results for r in result.released]
    assert sorted(released) == jobs
    assert len(server.remote) == len(jobs)


def test_a_job_printed_before_the_sweep_measured_it_is_still_charged_page_by_page(
        runtime, releaser, server, tmp_path):
    body = make_pdf(tmp_path / "chart.pdf", "예산 차트", pages=5, colour_pages={3}).read_bytes()
    with runtime.sessions.begin() as session:
        capture_job(session, runtime.spool, runtime.capture_policy,
                    CaptureRequest(user="kimsr", title="차트", options="job-uuid=chart"), [body])
    (sent,) = releaser.release("kimsr", "dept-a").released
    server.finish(sent.cups_job_id)
    releaser.follow()
    with runtime.sessions() as session:
        (usage,) = session.scalars(select(UsageRecord)).all()
        assert (usage.color_impressions, usage.mono_impressions) == (1, 4)


def test_a_printer_reporting_an_error_releases_nothing_and_says_why(runtime, releaser, server, hold):
    from printrelease.printing import DeviceStatus

    job_id = hold()
    server.devices["ipp://printer-a/ipp/print"] = DeviceStatus(reasons=("media-jam-error", "toner-low-warning"))
    with pytest.raises(PrinterUnavailable) as refused:
        releaser.release("kimsr", "dept-a")
    assert refused.value.words("ko") == "dept-a 프린터를 사용할 수 없습니다: 용지 걸림"
    assert states(runtime)[job_id] == JobState.HELD and server.remote == {}
    server.devices["ipp://printer-a/ipp/print"] = DeviceStatus(reasons=("toner-low-warning",))
    assert len(releaser.release("kimsr", "dept-a").released) == 1, "a warning does not block"


def test_a_release_that_cannot_start_in_time_releases_nothing(runtime, releaser, server, hold):
    job_id = hold()
    with pytest.raises(PrinterUnavailable, match="could not start in time"):
        releaser.release("kimsr", "dept-a", start_within=-1)
    assert states(runtime)[job_id] == JobState.HELD and server.remote == {}


def test_what_was_not_sent_is_a_domain_error_each_edge_words(runtime, releaser, server, hold):
    """A release's problems carry a code and parameters: the Korean pages and the kiosk word them in
    Korean, the CLI in its terminal's language (they were English sentences built here)."""
    first, second = hold(), hold()
    submitted = []

    def fails_the_second(cups_job_id):
        submitted.append(cups_job_id)
        if len(submitted) == 2:
            raise PrintServerUnavailable("CUPS at fake:631: connection refused")

    server.on_submit = fails_the_second
    result = releaser.release("kimsr", "dept-a")
    (problem,) = result.problems
    assert [r.job_id for r in result.released] == [first] and problem.code == "printer_became_unavailable"
    assert problem.words("ko").startswith("프린터 dept-a을(를) 쓸 수 없게 되어")
    assert "became unavailable" in problem.words("en")
    assert states(runtime)[second] == JobState.HELD
    with runtime.sessions.begin() as session:
        set_active(session, "kimsr", False)
    (disabled,) = releaser.release("kimsr", "dept-a").problems
    assert disabled.code == "user_disabled" and disabled.words("ko") == "kimsr 계정은 사용 중지되어 아무것도 보내지 않았습니다"


def test_a_stalled_release_that_fails_leaves_the_next_releases_copy_alone(runtime, releaser, server, hold):
    job_id = hold()
    original, theirs = server.release, {}

    def release_after_a_takeover(cups_job_id, owner):
        # While this releaser stalled, recovery settled the job and another release made its own copy.
        server.cancel(cups_job_id, owner)
        theirs["id"] = server.submit_held("dept-a", runtime.spool.path_for(key), "예산안", owner, {})
        with runtime.sessions.begin() as session:
            session.execute(update(Job).where(Job.id == job_id).values(
                release_attempt="the-next-attempt", lease_holder="other:2:0", dest_cups_job_id=theirs["id"]))
        raise PrintServerUnavailable(address=server.address, detail="timed out")

    with runtime.sessions() as session:
        key = session.get(Job, job_id).storage_key
    server.release = release_after_a_takeover
    with pytest.raises(PrinterUnavailable):
        releaser.release("kimsr", "dept-a")
    server.release = original
    assert server.remote[theirs["id"]].state == HELD, "the next release's copy is not the stalled one's to cancel"
    assert states(runtime)[job_id] == JobState.RELEASING


def test_a_release_whose_answer_was_lost_but_printed_is_charged_not_held_again(runtime, releaser, server, hold):
    job_id = hold()
    original = server.release

    def lifted_then_lost(cups_job_id, owner):  # CUPS lifted the hold and printed; its answer never came
        original(cups_job_id, owner)
        server.finish(cups_job_id)
        raise PrintServerUnavailable(address=server.address, detail="timed out")

    server.release = lifted_then_lost
    result = releaser.release("kimsr", "dept-a")
    server.release = original
    # The person at the printer is told it prints (it does), and that the printer stopped answering.
    assert [r.job_id for r in result.released] == [job_id]
    assert [p.code for p in result.problems] == ["printer_became_unavailable"]
    assert states(runtime)[job_id] == JobState.SENT
    assert releaser.follow() == [job_id] and states(runtime)[job_id] == JobState.PRINTED
    with runtime.sessions() as session:
        assert len(session.scalars(select(UsageRecord)).all()) == 1


def test_an_upload_that_fails_after_cups_took_the_copy_leaves_no_copy_on_hold(runtime, releaser, server, hold):
    job_id = hold()
    original = server.submit_held

    def answer_lost(*args):  # CUPS took the whole document, but its answer never came
        original(*args)
        raise PrintServerUnavailable(address=server.address, detail="connection reset")

    server.submit_held = answer_lost
    with pytest.raises(PrinterUnavailable):
        releaser.release("kimsr", "dept-a")
    server.submit_held = original
    assert [j.state for j in server.remote.values()] == [CANCELED]
    assert states(runtime)[job_id] == JobState.HELD
