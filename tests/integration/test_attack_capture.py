"""Attacked by a printing user: PostScript that never ends (two lines, `{} loop`) goes through CUPS's own
filters before printrelease sees anything, and held a capture queue for CUPS's three hours; four such
jobs stopped capture for everyone. The capture queues bound a job's time, and the next job is captured."""

from __future__ import annotations

import cups

from printrelease.cupsadmin import CAPTURE_TIME_LIMIT, install_queue
from printrelease.jobs.models import JobState
from tests.integration.conftest import wait_until

CANCELED = 7


def test_postscript_that_never_ends_holds_a_capture_queue_only_for_its_time_limit(stack, documents, tmp_path):
    host, port = stack.cupsd.address.split(":")
    connection = cups.Connection(host=host, port=int(port))
    assert connection.getPrinterAttributes("secure-print")["job-cancel-after-default"] == CAPTURE_TIME_LIMIT
    install_queue(stack.cupsd.address, "secure-print", stack.device_uri, time_limit=3)  # to see it act
    loop = tmp_path / "loop.ps"
    loop.write_bytes(b"%!PS\n{} loop\n")
    poison = stack.lp(loop, "leejy", "loop.ps")
    wait_until(lambda: connection.getJobAttributes(poison)["job-state"] == CANCELED, timeout=60,
               what="the endless job cancelled by CUPS")
    stack.lp(documents["pdf"], "김성렬", "예산안.pdf")
    (held,) = stack.wait_jobs(1, JobState.HELD, timeout=60)
    assert held.owner.login == "김성렬"
