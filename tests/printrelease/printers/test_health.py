"""Printer health from IPP reasons: what blocks a release, what is only a warning, in both languages."""

import pytest

from printrelease.printers.health import assess, split_reason
from printrelease.printing import PRINTER_STOPPED, DeviceStatus, QueueInfo
from printrelease.release.errors import PrinterUnavailable


@pytest.mark.parametrize("reason, keyword, severity", [
    ("media-jam-error", "media-jam", "error"),
    ("media-jam-report", "media-jam", "error"),  # an idle printer's jam still stops paper
    ("door-open-warning", "door-open", "error"),
    ("toner-low-warning", "toner-low", "warning"),
    ("toner-low-report", "toner-low", "report"),
    ("fuser-over-temp-error", "fuser-over-temp", "error"),
    ("something-new", "something-new", "error"),  # no suffix: an error, as RFC 8011 says
    ("cups-waiting-for-job-completed", "cups-waiting-for-job-completed", "report"),
    ("cups-ipp-missing-cancel-job", "cups-ipp-missing-cancel-job", "report"),  # CUPS's notes on a printer
    ("cups-ipp-missing-job-history", "cups-ipp-missing-job-history", "report"),
    ("identify-printer-requested", "identify-printer-requested", "report"),
])
def test_reasons_and_their_weight(reason, keyword, severity):
    assert split_reason(reason) == (keyword, severity)


def test_a_stopped_queue_and_a_jammed_device_block_and_say_why():
    stopped = assess(QueueInfo("dept-a", state=PRINTER_STOPPED, state_message="토너 없음", reasons=("paused",)))
    assert stopped.blocking == ("paused",) and stopped.describe("en") == "stopped by an administrator (토너 없음)"
    jammed = assess(QueueInfo("dept-a"), DeviceStatus(reasons=("media-jam-report", "toner-low-report")))
    assert (jammed.blocking, jammed.warnings) == (("media-jam",), ("toner-low",))
    assert jammed.describe("ko") == "용지 걸림"
    error = PrinterUnavailable("dept-a", jammed.describe("en"), reasons=jammed.blocking)
    assert error.words("ko") == "dept-a 프린터를 사용할 수 없습니다: 용지 걸림"
    assert str(error) == "printer dept-a is unavailable: paper jam"


def test_warnings_do_not_block():
    health = assess(QueueInfo("dept-a", reasons=("toner-low-warning",)), DeviceStatus(reasons=("media-low-report",)))
    assert health.ok and health.warnings == ("toner-low", "media-low")


def test_notes_neither_block_nor_warn():
    health = assess(QueueInfo("dept-a", reasons=("cups-ipp-missing-cancel-job", "identify-printer-requested")),
                    DeviceStatus(reasons=("identify-printer-requested",)))
    assert health.ok and health.warnings == ()


def test_an_unreachable_device_and_a_queue_refusing_jobs_block():
    assert assess(QueueInfo("dept-a"), None, "not reachable").blocking == ("unreachable",)
    assert assess(QueueInfo("dept-a", accepting=False)).blocking == ("not-accepting",)


def test_a_printer_that_does_not_respond_is_worded_alike_everywhere():
    from datetime import datetime, timezone

    from printrelease.printers.health import describe_status
    from printrelease.printers.models import Printer

    trying = assess(QueueInfo("dept-a", reasons=("connecting-to-device",)), None, "timed out")
    assert trying.describe("en") == "does not answer (timed out)" and trying.describe("ko") == "응답 없음 (timed out)"
    polled = Printer(name="dept-a", status_checked_at=datetime(2026, 12, 3, 9, 0, tzinfo=timezone.utc),
                     status_reasons="unreachable", status_state=None, status_message="CUPS at 10.0.0.5:631: timed out")
    assert describe_status(polled, "en").startswith("does not answer: CUPS at")
    assert describe_status(polled, "ko").startswith("응답 없음: CUPS at")
