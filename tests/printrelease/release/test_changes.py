"""Changing a held job's options before release: what a user may ask for, the printer's limits, another
user's job, the audit trail, and a change racing a release (the change loses or the release prints it)."""

import threading

import pytest
from sqlalchemy import select

from printrelease.jobs.changes import change_options
from printrelease.jobs.errors import JobNotHeld, OptionRefused, UnknownJob
from printrelease.jobs.models import Job, JobEvent, JobState
from printrelease.printers.models import Printer


def change(runtime, job_id, owner="kimsr", **options):
    with runtime.sessions.begin() as session:
        job = change_options(session, job_id, owner, **options)
        return job.copies, job.sides, job.color_mode


def test_a_user_changes_copies_sides_and_colour_to_mono_with_an_audit_entry(runtime, releaser, hold):
    job_id = hold()
    assert change(runtime, job_id, copies=2, sides="two-sided-long-edge", color_mode="monochrome") == (
        2, "two-sided-long-edge", "monochrome")
    change(runtime, job_id, copies=2)  # no change: no entry
    with runtime.sessions() as session:
        (event,) = session.scalars(select(JobEvent).where(JobEvent.job_id == job_id, JobEvent.kind == "changed"))
        assert (event.actor, event.detail) == (
            "kimsr", "copies 1 -> 2, sides one-sided -> two-sided-long-edge, color_mode color -> monochrome")
        assert session.get(Job, job_id).state == JobState.HELD


@pytest.mark.parametrize("options", [dict(copies=0), dict(copies=100), dict(copies=True), dict(copies="2"),
                                     dict(sides="booklet"), dict(color_mode="sepia")])
def test_values_out_of_range_are_refused(runtime, releaser, hold, options):
    job_id = hold()
    with pytest.raises(OptionRefused):
        change(runtime, job_id, **options)


def test_monochrome_never_becomes_colour_again(runtime, releaser, hold):
    job_id = hold(options="print-color-mode=monochrome")
    with pytest.raises(OptionRefused, match="cannot be changed to colour"):
        change(runtime, job_id, color_mode="color")
    mono_later = hold()
    change(runtime, mono_later, color_mode="monochrome")
    with pytest.raises(OptionRefused):
        change(runtime, mono_later, color_mode="color")


def test_nothing_the_chosen_printer_cannot_do(runtime, releaser, hold):
    with runtime.sessions.begin() as session:
        printer = session.scalar(select(Printer).where(Printer.name == "dept-a"))
        printer.supports_duplex = printer.supports_color = True
    job_id = hold()
    with pytest.raises(OptionRefused, match="both sides"):
        change(runtime, job_id, sides="two-sided-short-edge", printer="dept-mono")
    assert change(runtime, job_id, sides="one-sided", copies=2, printer="dept-mono") == (2, "one-sided", "color")
    assert change(runtime, job_id, sides="two-sided-short-edge", printer="dept-a")[1] == "two-sided-short-edge"
    assert change(runtime, job_id, color_mode="monochrome", printer="dept-mono")[2] == "monochrome"


def test_another_users_job_is_unknown_and_untouched(runtime, releaser, hold):
    job_id = hold(user="leejy")
    with pytest.raises(UnknownJob):
        change(runtime, job_id, "kimsr", copies=5)
    with pytest.raises(UnknownJob):
        change(runtime, 10**9, "kimsr", copies=5)
    with runtime.sessions() as session:
        assert session.get(Job, job_id).copies == 1


def test_a_job_no_longer_held_cannot_be_changed(runtime, releaser, hold):
    job_id = hold()
    releaser.release("kimsr", "dept-a")
    with pytest.raises(JobNotHeld):
        change(runtime, job_id, copies=2)


def test_a_change_during_a_release_loses_and_changes_nothing(runtime, releaser, server, hold):
    job_id = hold()
    change(runtime, job_id, copies=2)
    refused = []

    def change_while_uploading(_cups_job_id):
        try:
            change(runtime, job_id, copies=7, color_mode="monochrome")
        except JobNotHeld as error:
            refused.append(error)

    server.on_submit = change_while_uploading
    (sent,) = releaser.release("kimsr", "dept-a").released
    assert refused and server.options[sent.cups_job_id]["copies"] == "2"
    with runtime.sessions() as session:
        job = session.get(Job, job_id)
        assert (job.copies, job.color_mode, job.state) == (2, "color", JobState.SENT)


def test_a_change_racing_a_release_is_printed_whole_or_not_at_all(runtime, releaser, server, hold):
    """Both at once, many times: the printed copy has either all the changed values or none of them."""
    outcomes = set()
    for _ in range(8):
        job_id = hold()
        change(runtime, job_id, copies=2)
        barrier, changed = threading.Barrier(2), []

        def changer():
            barrier.wait()
            try:
                change(runtime, job_id, copies=5, sides="two-sided-long-edge", color_mode="monochrome")
                changed.append(True)
            except JobNotHeld:
                changed.append(False)

        thread = threading.Thread(target=changer)
        thread.start()
        barrier.wait()
        result = releaser.release("kimsr", "dept-a", [job_id])
        thread.join(30)
        (sent,) = result.released
        sent_options = server.options[sent.cups_job_id]
        expected = ({"copies": "5", "sides": "two-sided-long-edge", "print-color-mode": "monochrome"} if changed[0]
                    else {"copies": "2", "sides": "one-sided", "print-color-mode": "color"})
        assert {k: sent_options[k] for k in expected} == expected
        with runtime.sessions() as session:
            job = session.get(Job, job_id)
            assert (job.copies == 5) == changed[0] and job.state == JobState.SENT
        outcomes.add(changed[0])
    assert outcomes  # which interleavings came up varies from run to run; every one was whole
