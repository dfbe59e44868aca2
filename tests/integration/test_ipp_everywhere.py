"""Release to a real IPP Everywhere printer, which cancels jobs asking for what it cannot do."""

import subprocess
import tempfile
import time
from pathlib import Path

import cups
import pytest

from printrelease.jobs.models import JobState
from printrelease.printers.service import sync_printers
from printrelease.printing import CANCELED, COMPLETED
from sandbox.ippeve import IppEverywherePrinter
from tests.integration.conftest import wait_until


@pytest.fixture(scope="module")
def simplex_printer(cupsd):
    printer = IppEverywherePrinter(Path(tempfile.mkdtemp(prefix="printrelease-ipp-"))).start()
    subprocess.run(["lpadmin", "-h", cupsd.address, "-p", "ipp-simplex", "-E", "-v", printer.uri, "-m", "everywhere",
                    "-L", "2층 복도"], check=True, capture_output=True)
    yield printer
    subprocess.run(["lpadmin", "-h", cupsd.address, "-x", "ipp-simplex"], capture_output=True)
    printer.stop()
    subprocess.run(["rm", "-rf", str(printer.folder)])


def final_state(address: str, job_id: int) -> dict:
    host, port = address.split(":")
    connection = cups.Connection(host=host, port=int(port))
    return wait_until(lambda: (a := connection.getJobAttributes(job_id))["job-state"] >= CANCELED and a,
                      timeout=60, what=f"CUPS job {job_id} to end")


def test_the_printer_cancels_a_duplex_job_it_cannot_print(cupsd, simplex_printer, documents):
    done = subprocess.run(["lp", "-h", cupsd.address, "-d", "ipp-simplex", "-o", "sides=two-sided-long-edge",
                           str(documents["pdf"])], check=True, capture_output=True, text=True)
    attributes = final_state(cupsd.address, int(done.stdout.split()[3].rsplit("-", 1)[1]))
    assert attributes["job-state"] != COMPLETED, "why release must adapt options"


def test_release_adapts_options_and_the_printer_prints(stack, simplex_printer, documents):
    with stack.runtime.sessions.begin() as session:
        (printer,) = sync_printers(session, stack.runtime.print_server(), only={"ipp-simplex"})
        assert (printer.supports_duplex, printer.supports_color, printer.location) == (False, False, "2층 복도")
    before = len(simplex_printer.documents())
    stack.lp(documents["pdf"], "김성렬", "양면 컬러 요청.pdf", "secure-print", "sides=two-sided-long-edge",
             "print-color-mode=color")
    stack.wait_jobs(1, JobState.HELD)
    stack.cli("jobs", "release", "--user", "김성렬", "--printer", "ipp-simplex", "--timeout", "90")
    (job,) = stack.jobs()
    assert job.state == JobState.PRINTED and (job.sides, job.color_mode) == ("one-sided", "monochrome")
    assert [e.detail for e in job.events if e.kind == "adapted"] == [
        "ipp-simplex cannot print two-sided-long-edge; printing one-sided",
        "ipp-simplex has no colour; printing in monochrome"]
    wait_until(lambda: len(simplex_printer.documents()) > before, what="the document at the printer")
    time.sleep(0.1)
