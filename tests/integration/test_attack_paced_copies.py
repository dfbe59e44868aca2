"""Attack on the paced upload through a real cupsd: a copy left behind when its upload fails midway."""

import subprocess

import cups
import pytest

from printrelease.accounts.service import add_user
from printrelease.jobs.capture import CaptureRequest, capture_job
from printrelease.jobs.models import JobState
from printrelease.printers.models import Printer
from printrelease.printing.cups import UPLOAD_CHUNK, CupsPrintServer
from printrelease.release import service
from printrelease.release.errors import PrinterUnavailable
from printrelease.release.lease import copy_uuid
from printrelease.release.service import Releaser
from sandbox.documents import make_pdf
from tests.printrelease.release.conftest import run_out_leases, states


@pytest.fixture
def large_job(runtime, cupsd, tmp_path, monkeypatch):
    """A held job of kimsr's, several upload steps long and sent paced, for dept-a on the private cupsd."""
    subprocess.run(["cupsenable", "-h", cupsd.address, "dept-a"], capture_output=True)
    subprocess.run(["cancel", "-h", cupsd.address, "-a", "-x", "dept-a"], capture_output=True)
    body = make_pdf(tmp_path / "large.pdf", "대용량", 1).read_bytes() + b"%" * (3 * UPLOAD_CHUNK)
    with runtime.sessions.begin() as session:
        session.add(Printer(name="dept-a", cups_server=cupsd.address, cups_queue="dept-a"))
        add_user(session, "kimsr", "김성렬")
        job = capture_job(session, runtime.spool, runtime.capture_policy,
                          CaptureRequest(user="kimsr", title="대용량"), [body]).job.id
    monkeypatch.setattr(service, "BULK_BYTES", 1)  # sent paced, from the bulk thread
    yield job
    subprocess.run(["cancel", "-h", cupsd.address, "-a", "-x", "dept-a"], capture_output=True)


def _copies(server, attempt):
    return [(j.id, j.state) for j in server.jobs("dept-a", "kimsr") if j.uuid == copy_uuid(attempt)]


def _breaking_midway(real, seen, before=None):
    """`real`, whose paced uploads break at their second step, as writeRequestData raises once cupsd's
    side of the connection is gone; `before()` runs first, and `seen["attempt"]` names the copy."""

    class Broken:
        address = real.address

        def __getattr__(self, name):
            return getattr(real, name)

        def submit_held(self, queue, path, title, owner, options, pace=None):
            if before is not None:
                before()
            seen["attempt"] = options["job-uuid"].removeprefix("urn:uuid:")
            steps = []

            def breaks_midway():
                steps.append(1)
                if len(steps) == 2:
                    raise cups.HTTPError(-1)

            return real.submit_held(queue, path, title, owner, options, pace=breaks_midway)

    return Broken()


def test_an_upload_that_fails_midway_after_its_job_was_taken_over_leaves_no_copy_in_cups(
        runtime, cupsd, large_job):
    """The lease ran out while the large document was being checked at the lowest priority (the database
    was away longer than the lease, so the keeper could not renew it), recovery found no copy yet and held
    the job again, and then the connection to cupsd broke midway through the upload. `_abandon` cancels
    only while the lease is the releaser's, so the paced upload must take its own copy away, as printFile
    does: else it stayed held in CUPS for ever, one Release-Job away from printing."""
    real = CupsPrintServer(cupsd.address)
    seen = {}

    def taken_over():  # before the upload starts: the lease has run out, and a peer's recovery takes over
        run_out_leases(runtime)
        peer = Releaser(runtime.sessions, runtime.spool, lambda _: real, holder="peer:2:0")
        seen["recovered"] = peer.recover()

    broken = _breaking_midway(real, seen, taken_over)
    releaser = Releaser(runtime.sessions, runtime.spool, lambda _: broken, holder="test:1:0")
    with pytest.raises(PrinterUnavailable):
        releaser.release("kimsr", "dept-a")
    assert seen["recovered"] == 1 and states(runtime) == {large_job: JobState.HELD}
    assert _copies(real, seen["attempt"]) == [], "the failed upload's copy is still held in CUPS"


def test_an_upload_that_fails_midway_leaves_the_job_held_and_its_copy_cancelled(runtime, cupsd, large_job):
    """What held: the same break while the lease is still ours ends with the job held and no copy."""
    real = CupsPrintServer(cupsd.address)
    seen = {}
    broken = _breaking_midway(real, seen)
    releaser = Releaser(runtime.sessions, runtime.spool, lambda _: broken, holder="test:1:0")
    with pytest.raises(PrinterUnavailable):
        releaser.release("kimsr", "dept-a")
    assert states(runtime) == {large_job: JobState.HELD}
    assert _copies(real, seen["attempt"]) == []
    # The releaser's own thread still talks to cupsd, and the job prints once on the next tap.
    result = Releaser(runtime.sessions, runtime.spool, lambda _: real, holder="test:1:0").release("kimsr", "dept-a")
    assert [r.job_id for r in result.released] == [large_job]
    assert states(runtime) == {large_job: JobState.SENT}
