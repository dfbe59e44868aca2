"""A fake print server, a releaser on the test database, and held jobs to release."""

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from printrelease.accounts.service import add_user
from printrelease.db import utcnow
from printrelease.jobs.capture import CaptureRequest, capture_job
from printrelease.jobs.models import Job
from printrelease.printers.models import Printer
from printrelease.printing import QueueInfo
from printrelease.release.service import ReleasePolicy, Releaser
from sandbox.documents import make_pdf
from tests.fakes import FakePrintServer

DUPLEX_COLOUR = QueueInfo("dept-a", sides_supported=("one-sided", "two-sided-long-edge"),
                          color_modes_supported=("monochrome", "color"), device_uri="ipp://printer-a/ipp/print")


@pytest.fixture
def server():
    return FakePrintServer([DUPLEX_COLOUR, QueueInfo("dept-mono")])


@pytest.fixture
def policy():
    return ReleasePolicy(lease=timedelta(seconds=30), start_timeout=timedelta(minutes=3))


@pytest.fixture
def releaser(runtime, server, policy):
    with runtime.sessions.begin() as session:
        session.add_all([Printer(name="dept-a", cups_server="fake:631", cups_queue="dept-a"),
                         Printer(name="dept-mono", cups_server="fake:631", cups_queue="dept-mono")])
        add_user(session, "kimsr", "김성렬", department_code="budget", department_name="기획예산과")
        add_user(session, "leejy", "이지영")
    return Releaser(runtime.sessions, runtime.spool, lambda address: server, policy, holder="test:1:0")


@pytest.fixture
def hold(runtime, tmp_path):
    counter = iter(range(1000))

    def hold(user="kimsr", title="예산안", pages=1, options=""):
        n = next(counter)
        body = make_pdf(tmp_path / f"{n}.pdf", title, pages).read_bytes()
        with runtime.sessions.begin() as session:
            outcome = capture_job(session, runtime.spool, runtime.capture_policy,
                                  CaptureRequest(user=user, title=f"{title} {n}", options=f"job-uuid=u{n} {options}"),
                                  [body])
            return outcome.job.id

    return hold


def states(runtime):
    with runtime.sessions() as session:
        return {job.id: job.state for job in session.scalars(select(Job)).unique()}


def run_out_leases(runtime):
    """As if every releaser had stopped renewing long ago (the process died)."""
    with runtime.sessions.begin() as session:
        session.execute(update(Job).where(Job.lease_expires_at.is_not(None))
                        .values(lease_expires_at=utcnow() - timedelta(seconds=1)))


class Crash(BaseException):
    """Stands for the releasing process dying between two steps."""


def crashing(server, method):
    original = getattr(server, method)

    def crash(*args, **kwargs):
        if method == "submit_held":
            original(*args, **kwargs)
        raise Crash(method)

    setattr(server, method, crash)
    return lambda: setattr(server, method, original)
