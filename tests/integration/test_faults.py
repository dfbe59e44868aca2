"""The fault matrix through real components: CUPS restarted mid-release, the printer stopped mid-job,
PostgreSQL restarted mid-burst, a station's request timing out while the server still releases. Each
ends with nothing lost and nothing doubled: every job printed exactly once (by content) or still held."""

import hashlib
import signal
import subprocess
import threading
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from printrelease.jobs.models import JobState
from printrelease.printing import CANCELED
from printrelease.release.service import ReleasePolicy, Releaser
from printrelease.stations.models import Tap
from printrelease.usage.models import UsageRecord
from sandbox.documents import make_pdf
from sandbox.pcsc import VirtualCard
from tests.integration.conftest import running_stack, wait_until
from tests.integration.postgres import PrivatePostgres
from tests.integration.readers import Agent


def print_burst(stack, tmp_path, count, user="kimsr"):
    for n in range(count):
        title = f"{user} 문서 {n}"
        stack.lp(make_pdf(tmp_path / f"{user}-{n}.pdf", title, pages=1), user, title)


def hold(stack, tmp_path, count, user="kimsr"):
    print_burst(stack, tmp_path, count, user)
    return stack.wait_jobs(count, JobState.HELD)


def assert_exactly_once(stack, printers=("dept-a", "dept-b")):
    printed = Counter(hashlib.sha256(p.read_bytes()).hexdigest() for printer in printers for p in stack.output(printer))
    jobs = stack.jobs()
    assert {job.state for job in jobs} <= {JobState.HELD, JobState.PRINTED}
    assert all(n == 1 for n in printed.values()), "a document printed twice"
    assert printed == Counter(job.sha256 for job in jobs if job.state == JobState.PRINTED)
    with stack.runtime.sessions() as session:
        charged = Counter(session.scalars(select(UsageRecord.job_id)))
    assert charged == Counter(job.id for job in jobs if job.state == JobState.PRINTED)


def release_everything(stack, printer="dept-a"):
    stack.cli("jobs", "release", "--user", "kimsr", "--printer", printer, "--timeout", "60")
    wait_until(lambda: all(job.state == JobState.PRINTED for job in stack.jobs()), what="every job to print")


def test_cups_restarted_in_the_middle_of_a_release(stack, tmp_path):
    stack.stop_server()
    stack.start_server(PRINTRELEASE_RELEASE_LEASE_SECONDS="1")
    hold(stack, tmp_path, 4)
    (stack.cupsd.output_root / "dept-a" / "BUSY").touch()  # the first job waits at the printer
    server = stack.runtime.print_server()
    submitted = []

    class StopsAfterTwo:
        address = server.address

        def __getattr__(self, name):
            return getattr(server, name)

        def submit_held(self, *args):
            cups_job = server.submit_held(*args)
            submitted.append(cups_job)
            if len(submitted) == 2:  # the second copy is in CUPS, on hold; CUPS goes down before its release
                stack.cupsd.stop()
            return cups_job

    releaser = Releaser(stack.runtime.sessions, stack.runtime.spool, lambda _: StopsAfterTwo(),
                        ReleasePolicy(lease=timedelta(seconds=1)))
    result = releaser.release("kimsr", "dept-a")
    assert len(result.released) == 1 and result.problems[0].code == "printer_became_unavailable"
    assert "became unavailable" in result.problems[0].words("en")
    assert [job.state for job in stack.jobs()] == [JobState.SENT, JobState.RELEASING, JobState.HELD, JobState.HELD]
    stack.cupsd.start()  # back, with both copies: the first released, the second still on hold
    wait_until(lambda: stack.jobs(JobState.RELEASING) == [], what="recovery of the interrupted job")
    assert stack.cups_job(submitted[1])["job-state"] == CANCELED, "the copy nobody lifted the hold of"
    (stack.cupsd.output_root / "dept-a" / "BUSY").unlink()
    wait_until(lambda: len(stack.jobs(JobState.PRINTED)) == 1, what="the one sent job to print")
    assert_exactly_once(stack)
    release_everything(stack)
    assert_exactly_once(stack)


def test_the_printer_stops_in_the_middle_of_a_job(stack, tmp_path):
    hold(stack, tmp_path, 3)
    folder = stack.cupsd.output_root / "dept-a"
    (folder / "BUSY").touch()
    stack.cli("jobs", "release", "--user", "kimsr", "--printer", "dept-a", "--no-wait")
    wait_until(lambda: stack.cups_job(stack.jobs()[0].dest_cups_job_id)["job-state"] == 5, what="printing")
    (folder / "JAM").touch()
    (folder / "BUSY").unlink()  # the jam strikes during the first job: the queue stops
    held = wait_until(lambda: (jobs := stack.jobs(JobState.HELD)) and len(jobs) == 3 and jobs, timeout=60,
                      what="every job back on hold")
    assert all("stopped" in job.state_reason for job in held) and stack.output("dept-a") == []
    (folder / "JAM").unlink()
    subprocess.run(["cupsenable", "-h", stack.cupsd.address, "dept-a"], check=True)
    release_everything(stack)
    assert_exactly_once(stack)


@pytest.fixture
def own_postgres(request, cupsd, tmp_path):
    database = PrivatePostgres().start()
    try:
        with running_stack(cupsd, tmp_path, database.url) as stack:
            stack.database = database
            stack.stop_server()
            stack.start_server(PRINTRELEASE_RELEASE_LEASE_SECONDS="2")  # recovery within the test's patience
            yield stack
    finally:
        database.stop()


def test_postgresql_restarted_in_the_middle_of_a_burst(own_postgres, tmp_path):
    stack = own_postgres
    burst = threading.Thread(target=print_burst, args=(stack, tmp_path, 10))
    burst.start()
    wait_until(lambda: len(stack.jobs()) >= 3, what="the burst to begin")
    stack.database.restart()
    burst.join(120)
    held = stack.wait_jobs(10, JobState.HELD, timeout=120)
    assert len({job.title for job in held}) == 10 and len(stack.jobs()) == 10, "each job held once"
    # The administrator's release loses its database halfway: it stops with an error, its half-done job
    # is recovered by the server once the lease has run out.
    command = ["jobs", "release", "--user", "kimsr", "--printer", "dept-a", "--no-wait"]
    releasing = threading.Thread(target=lambda: stack.cli(*command, check=False))
    releasing.start()
    wait_until(lambda: stack.jobs(JobState.SENT, JobState.PRINTED), what="the release to begin")
    stack.database.restart()
    releasing.join(180)
    wait_until(lambda: all(job.state in (JobState.HELD, JobState.PRINTED) for job in stack.jobs()), timeout=90,
               what="the release to settle")
    assert_exactly_once(stack)
    release_everything(stack)
    assert_exactly_once(stack)


def test_a_station_timing_out_while_the_server_releases(stack, tmp_path, virtual_readers):
    stack.cli("users", "add", "kimsr")
    stack.cli("cards", "add", "kimsr", "04A1B2C3D4E5F6")
    agent = Agent(stack, "reader-a", "dept-a", "Virtual PCD 00 00", extra_args=("--timeout", "1"))
    try:
        hold(stack, tmp_path, 3)
        # The server is slow (paused): the tap reaches it, and the agent's second passes before it answers.
        stack.signal_server(signal.SIGSTOP)
        try:
            with VirtualCard("04A1B2C3D4E5F6"):
                answer = agent.next_answer(timeout=20)
        finally:
            stack.signal_server(signal.SIGCONT)
        assert answer["outcome"] == "timeout" and answer["say"]["ko"].startswith("인쇄 서버의 응답이 늦습니다")
        wait_until(lambda: len(stack.jobs(JobState.PRINTED)) == 3, what="the release the server went on with")
        assert tap_rows(stack) == 1, "the agent never sent the tap again"
        assert_exactly_once(stack)
    finally:
        agent.stop()


def tap_rows(stack) -> int:
    with stack.runtime.sessions() as session:
        return session.scalar(select(func.count()).select_from(Tap))
