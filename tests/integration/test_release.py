"""Release through a real cupsd: byte-identical delivery, failing printers, racing releasers, crashes."""

import shutil
import subprocess
import sys
from datetime import timedelta

import pytest
from sqlalchemy import select

from printrelease.jobs.models import Job, JobState
from printrelease.printers.service import sync_printers
from printrelease.printing import CANCELED, HELD
from printrelease.release.service import Releaser
from printrelease.usage.models import UsageRecord
from tests.integration.conftest import wait_until
from tests.printrelease.release.conftest import run_out_leases


def hold(stack, document, count=1, user="김성렬"):
    for n in range(count):
        stack.lp(document, user, f"예산안 {n}.pdf")
    return stack.wait_jobs(count, JobState.HELD)


def usage(stack):
    with stack.runtime.sessions() as session:
        return list(session.scalars(select(UsageRecord)))


def test_release_prints_the_identical_document_under_the_owners_name(any_db_stack, documents):
    stack = any_db_stack
    (job,) = hold(stack, documents["pdf"])
    done = stack.cli("jobs", "release", "--user", "김성렬", "--printer", "dept-a", "--timeout", "60")
    assert "printed" in done.stdout
    (printed,) = stack.output("dept-a")
    assert printed.read_bytes() == documents["pdf"].read_bytes()
    info = printed.with_suffix(".info").read_text()
    assert "user=김성렬" in info and "title=예산안 0.pdf" in info
    (row,) = usage(stack)
    assert (row.user_login, row.printer_name, row.pages, row.title) == ("김성렬", "dept-a", 3, "예산안 0.pdf")
    (after,) = stack.jobs()
    assert after.state == JobState.PRINTED and after.storage_key not in stack.runtime.spool.keys()
    # The colour measurement ("analysis") happens whenever the sweep gets to it, or at the latest at printing.
    kinds = [e.kind for e in after.events if e.kind != "analysis"]
    assert kinds == ["captured", "claimed", "adapted", "sent", "printed"]


def test_the_server_follows_released_jobs_by_itself(stack, documents):
    hold(stack, documents["pdf"], 2)
    stack.cli("jobs", "release", "--user", "김성렬", "--printer", "dept-b", "--no-wait")
    stack.wait_jobs(2, JobState.PRINTED)
    assert len(stack.output("dept-b")) == 2 and len(usage(stack)) == 2


def test_a_failing_printer_puts_the_job_back_on_hold_uncharged(stack, documents):
    (job,) = hold(stack, documents["pdf"])
    jam = stack.cupsd.output_root / "dept-b" / "JAM"
    jam.touch()
    stack.cli("jobs", "release", "--user", "김성렬", "--printer", "dept-b", "--no-wait")
    (returned,) = stack.wait_jobs(1, JobState.HELD, timeout=30)
    wait_until(lambda: "stopped" in stack.jobs()[0].state_reason, what="the job to come back")
    returned = stack.jobs()[0]
    assert "paper jam" in returned.state_reason and usage(stack) == []
    assert stack.output("dept-b") == []
    # The printer is fixed; a new tap prints the job exactly once.
    jam.unlink()
    subprocess.run(["cupsenable", "-h", stack.cupsd.address, "dept-b"], check=True)
    stack.cli("jobs", "release", "--user", "김성렬", "--printer", "dept-b", "--timeout", "60")
    assert len(stack.output("dept-b")) == 1 and len(usage(stack)) == 1


def test_a_stopped_printer_is_refused_up_front(stack, documents):
    hold(stack, documents["pdf"])
    subprocess.run(["cupsdisable", "-h", stack.cupsd.address, "-r", "토너 없음", "dept-a"], check=True)
    done = stack.cli("jobs", "release", "--user", "김성렬", "--printer", "dept-a", check=False)
    assert done.returncode == 1 and "unavailable" in done.stderr and "토너 없음" in done.stderr
    assert [j.state for j in stack.jobs()] == [JobState.HELD]


def test_two_releaser_processes_racing_print_each_job_once(stack, documents):
    hold(stack, documents["pdf"], 6)
    command = [sys.executable, "-m", "printrelease", "jobs", "release", "--user", "김성렬", "--no-wait", "--printer"]
    racers = [subprocess.Popen(command + [printer], env=stack.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
              for printer in ("dept-a", "dept-b")]
    outputs = [racer.communicate(timeout=60) for racer in racers]
    assert all(r.returncode == 0 for r in racers), outputs
    stack.wait_jobs(6, JobState.PRINTED)
    assert len(stack.output("dept-a")) + len(stack.output("dept-b")) == 6
    assert len(usage(stack)) == 6


class Crash(BaseException):
    pass


@pytest.fixture
def stock_printer(stack):
    """A department printer under Debian's stock CUPS policy: only a job's owner (or an admin) may release
    or cancel a job on it, and only they see its name and owner."""
    stack.cupsd.add_folder_printer("dept-stock", stack.cupsd.output_root / "dept-stock")
    subprocess.run(["lpadmin", "-h", stack.cupsd.address, "-p", "dept-stock", "-o", "printer-op-policy=stock"],
                   check=True)
    with stack.runtime.sessions.begin() as session:
        sync_printers(session, stack.runtime.print_server(), only={"dept-stock"})
    yield "dept-stock"
    subprocess.run(["cancel", "-h", stack.cupsd.address, "-a", "-x", "dept-stock"], capture_output=True)
    subprocess.run(["lpadmin", "-h", stack.cupsd.address, "-x", "dept-stock"], check=True)
    shutil.rmtree(stack.cupsd.output_root / "dept-stock")


@pytest.fixture(params=["open policy", "stock policy"])
def department_printer(request, stack):
    return request.getfixturevalue("stock_printer") if request.param == "stock policy" else "dept-a"


def test_a_crash_mid_release_leaves_the_job_held_and_nothing_printed(stack, documents, department_printer):
    printer = department_printer
    (job,) = hold(stack, documents["pdf"])
    server = stack.runtime.print_server()

    class DiesAfterSubmitting:
        address = server.address

        def __getattr__(self, name):
            return getattr(server, name)

        def submit_held(self, *args):
            self.cups_job_id = server.submit_held(*args)
            raise Crash()

    dying = DiesAfterSubmitting()
    with pytest.raises(Crash):
        Releaser(stack.runtime.sessions, stack.runtime.spool, lambda _: dying).release("김성렬", printer)
    assert stack.cups_job(dying.cups_job_id)["job-state"] == HELD
    stack.stop_server()  # so that only this test's recovery acts
    import cups

    run_out_leases(stack.runtime)  # the dying releaser renews no more
    cups.setUser("printrelease")  # the service's own account, as deployed: not a CUPS admin, not the owner
    try:
        assert stack.runtime.releaser.recover() == 1
    finally:
        cups.setUser("root")
    assert stack.cups_job(dying.cups_job_id)["job-state"] == CANCELED
    assert [j.state for j in stack.jobs()] == [JobState.HELD] and stack.output(printer) == []
    stack.start_server()
    stack.cli("jobs", "release", "--user", "김성렬", "--printer", printer, "--timeout", "60")
    assert len(stack.output(printer)) == 1


def test_a_department_cups_with_the_stock_policy_lets_the_owner_release_and_cancel(stack, documents,
                                                                                   stock_printer):
    import cups

    hold(stack, documents["pdf"])
    server = stack.runtime.print_server()
    cups_job = server.submit_held(stock_printer, documents["pdf"], "예산안 사본", "김성렬", {})
    host, port = stack.cupsd.address.split(":")
    cups.setUser("someone-else")
    try:
        with pytest.raises(cups.IPPError):
            cups.Connection(host=host, port=int(port)).cancelJob(cups_job)  # the policy is really in force
    finally:
        cups.setUser("root")
    server.cancel(cups_job, "김성렬")  # as the owner, as the recovery does
    assert stack.cups_job(cups_job)["job-state"] == CANCELED
    done = stack.cli("jobs", "release", "--user", "김성렬", "--printer", stock_printer, "--timeout", "60")
    assert "printed" in done.stdout
    (printed,) = stack.output(stock_printer)
    assert printed.read_bytes() == documents["pdf"].read_bytes()


def test_printers_sync_reads_queues_from_cups(stack):
    done = stack.cli("printers", "sync")
    assert "dept-a\t3층 기획예산과" in done.stdout and "secure-print" not in done.stdout
    listed = stack.cli("printers", "list").stdout
    assert "dept-b" in listed and "discard" in listed


def test_delete_and_expire_from_the_cli(stack, documents):
    first, second = hold(stack, documents["pdf"], 2)
    stack.cli("jobs", "delete", str(first.id), "--user", "김성렬")
    refused = stack.cli("jobs", "delete", str(second.id), "--user", "someone-else", check=False)
    assert refused.returncode == 1 and f"no such job: {second.id}" in refused.stderr
    stack.stop_server()  # its sweep would expire the job first; here the command line does it
    with stack.runtime.sessions.begin() as session:
        job = session.get(Job, second.id)
        job.expires_at = job.submitted_at - timedelta(seconds=1)
    assert "1 job(s) expired" in stack.cli("jobs", "expire").stdout
    states = {j.id: j.state for j in stack.jobs()}
    assert states == {first.id: JobState.DELETED, second.id: JobState.EXPIRED}
    assert stack.runtime.spool.keys() == set()
    listing = stack.cli("jobs", "list", "--all").stdout
    assert "deleted" in listing and "expired" in listing
