"""Printer health through real IPP: an IPP Everywhere printer out of paper and a stopped CUPS queue release
nothing at a tap, say why in both languages, and keep the jobs held; a printer that goes away after a job
was sent does not print it unattended when it comes back."""

import json
import subprocess
import tempfile
import urllib.request
from pathlib import Path

import pytest

from printrelease.jobs.models import JobState
from printrelease.printers.service import sync_printers
from printrelease.printing import CANCELED
from sandbox.ippeve import IppEverywherePrinter
from tests.integration.conftest import wait_until

KIM_CARD = "04A1B2C3D4E5F6"


@pytest.fixture
def ipp_printer(stack):
    printer = IppEverywherePrinter(Path(tempfile.mkdtemp(prefix="printrelease-health-"))).start()
    subprocess.run(["lpadmin", "-h", stack.cupsd.address, "-p", "ipp-health", "-E", "-v", printer.uri, "-m",
                    "everywhere", "-o", "printer-error-policy=retry-job"], check=True, capture_output=True)
    with stack.runtime.sessions.begin() as session:
        sync_printers(session, stack.runtime.print_server(), only={"ipp-health"})
    yield printer
    subprocess.run(["cancel", "-h", stack.cupsd.address, "-a", "-x", "ipp-health"], capture_output=True)
    subprocess.run(["lpadmin", "-h", stack.cupsd.address, "-x", "ipp-health"], capture_output=True)
    printer.stop()
    subprocess.run(["rm", "-rf", str(printer.folder)])


@pytest.fixture
def tap(stack):
    """Tap 김성렬's card at a station of the given printer, through the real station API."""
    stack.cli("users", "add", "kimsr", "--name", "김성렬")
    stack.cli("cards", "add", "kimsr", KIM_CARD)
    tokens = {}

    def tap(printer: str) -> dict:
        if printer not in tokens:
            token_file = stack.root / f"{printer}.token"
            stack.cli("stations", "add", f"reader-{printer}", "--printer", printer, "--token-file", str(token_file))
            tokens[printer] = token_file.read_text().strip()
        body = json.dumps({"card": KIM_CARD}).encode()
        request = urllib.request.Request(f"{stack.url}/api/v1/station/tap", data=body,
                                         headers={"Authorization": f"Bearer {tokens[printer]}",
                                                  "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.load(response)

    return tap


def test_a_printer_out_of_paper_releases_nothing_until_it_is_refilled(stack, ipp_printer, tap, documents):
    stack.lp(documents["pdf"], "kimsr", "예산안.pdf")
    stack.wait_jobs(1, JobState.HELD)
    ipp_printer.load_paper(0)
    answer = tap("ipp-health")
    assert (answer["outcome"], answer["jobs"]) == ("printer_unavailable", 0)
    assert "용지 없음" in answer["say"]["ko"] and "out of paper" in answer["say"]["en"]
    assert [job.state for job in stack.jobs()] == [JobState.HELD]
    listed = wait_until(lambda: "out of paper" in (out := stack.cli("printers", "list").stdout) and out,
                        what="the sweep's poll to see the printer's trouble")
    assert "error: out of paper" in next(line for line in listed.splitlines() if line.startswith("ipp-health"))
    ipp_printer.load_paper(250)
    assert tap("ipp-health")["outcome"] == "released"
    stack.wait_jobs(1, JobState.PRINTED, timeout=90)


def test_a_stopped_queue_releases_nothing_and_says_why(stack, tap, documents):
    stack.lp(documents["pdf"], "kimsr", "예산안.pdf")
    stack.wait_jobs(1, JobState.HELD)
    subprocess.run(["cupsdisable", "-h", stack.cupsd.address, "-r", "토너 교체 중", "dept-a"], check=True)
    answer = tap("dept-a")
    assert answer["outcome"] == "printer_unavailable" and "토너 교체 중" in answer["say"]["ko"]
    assert [job.state for job in stack.jobs()] == [JobState.HELD] and stack.output("dept-a") == []


def test_a_printer_gone_after_the_job_was_sent_does_not_print_it_later(stack, ipp_printer, documents):
    stack.stop_server()
    env = {"PRINTRELEASE_START_TIMEOUT_SECONDS": "2", "PRINTRELEASE_DEVICE_TIMEOUT_SECONDS": "0"}
    stack.start_server(**env)  # releases ask only the CUPS queue, as with printers out of this server's reach
    stack.lp(documents["pdf"], "kimsr", "예산안.pdf")
    (job,) = stack.wait_jobs(1, JobState.HELD)
    ipp_printer.stop()  # gone between the last look and the release; CUPS will retry it (retry-job)
    stack.cli("jobs", "release", "--user", "kimsr", "--printer", "ipp-health", "--no-wait", env=env)
    held = wait_until(lambda: (jobs := stack.jobs(JobState.HELD)) and jobs[0], timeout=60,
                      what="the job the printer never started to be held again")
    assert "did not start printing within" in held.state_reason
    cups_job = next(e.detail for e in held.events if e.kind == "sent").rsplit(" ", 1)[1]
    assert stack.cups_job(int(cups_job))["job-state"] == CANCELED, "CUPS must never send it when the printer is back"
