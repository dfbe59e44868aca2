"""Capture through a real cupsd: lp and pycups in, held jobs out; outages, bad input, duplicates."""

import os
import subprocess

import cups
import pytest

from printrelease.cupsadmin import DEFAULT_MEMBERS, capture_uri
from printrelease.jobs.models import JobState
from printrelease.printing import CANCELED, COMPLETED, PENDING, PRINTER_STOPPED
from sandbox.documents import make_large_pdf
from tests.integration.conftest import wait_until


def test_lp_job_with_korean_user_and_title_is_held(any_db_stack, documents):
    stack = any_db_stack
    cups_id = stack.lp(documents["pdf"], "김성렬", "예산안 2013.pdf", "secure-print", "sides=two-sided-long-edge")
    (job,) = stack.wait_jobs(1, JobState.HELD)
    assert (job.owner.login, job.title, job.pages, job.sides) == ("김성렬", "예산안 2013.pdf", 3, "two-sided-long-edge")
    assert job.cups_job_uuid.startswith("urn:uuid:") and job.source_cups_job_id == cups_id
    assert stack.runtime.spool.open_verified(job.storage_key, job.sha256).read_bytes() == documents["pdf"].read_bytes()
    wait_until(lambda: stack.cups_job(cups_id)["job-state"] == COMPLETED, what="the CUPS job to complete")


@pytest.mark.parametrize("kind", ["ps", "text", "png"])
def test_other_formats_arrive_as_pdf(stack, documents, kind):
    stack.lp(documents[kind], "이지영", f"회의록.{kind}")
    (job,) = stack.wait_jobs(1, JobState.HELD)
    assert job.format == "application/pdf" and job.pages >= 1
    path = stack.runtime.spool.open_verified(job.storage_key, job.sha256)
    assert path.read_bytes().startswith(b"%PDF")


def test_pycups_submission_as_a_korean_user(stack, documents):
    cups.setServer("127.0.0.1")
    cups.setPort(stack.cupsd.port)
    cups.setUser("박민호")
    try:
        cups.Connection().printFile(
            "secure-print", str(documents["pdf"]), "민원 처리 현황", {"copies": "2", "print-color-mode": "monochrome"})
    finally:
        cups.setUser("root")
    (job,) = stack.wait_jobs(1, JobState.HELD)
    assert (job.owner.login, job.title, job.copies, job.color_mode) == ("박민호", "민원 처리 현황", 2, "monochrome")


def test_corrupt_and_oversize_documents_are_refused_and_the_queue_goes_on(stack, documents, tmp_path):
    corrupt = tmp_path / "corrupt.pdf"
    corrupt.write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 9 0 R >> endobj\ntrailer garbage")
    big = make_large_pdf(tmp_path / "big.pdf", 6_000_000)
    bad_id = stack.lp(corrupt, title="깨진 문서.pdf")
    big_id = stack.lp(big, title="큰 문서.pdf")
    stack.lp(documents["pdf"])
    held = stack.wait_jobs(1, JobState.HELD)
    assert held[0].title == "예산안 2013.pdf"
    reasons = {j.title: j.state_reason for j in stack.wait_jobs(2, JobState.REJECTED)}
    assert "the PDF is damaged" in reasons["깨진 문서.pdf"]
    assert "larger than the limit of 5000000 bytes" in reasons["큰 문서.pdf"]
    for cups_id, words in ((bad_id, "damaged"), (big_id, "larger than the limit")):
        attributes = wait_until(lambda: (a := stack.cups_job(cups_id))["job-state"] == CANCELED and a)
        assert words in attributes["job-printer-state-message"]
    assert stack.runtime.print_server().queue("secure-print").state != PRINTER_STOPPED
    assert len(stack.runtime.spool.keys()) == 1


def test_path_like_and_invalid_utf8_titles(stack, documents):
    stack.lp(documents["pdf"], title="../../etc/passwd")
    subprocess.run([b"lp", b"-h", stack.cupsd.address.encode(), b"-d", b"secure-print", b"-U", b"kim",
                    b"-t", b"\xff\xfe report", str(documents["pdf"]).encode()], check=True, capture_output=True)
    jobs = stack.wait_jobs(2, JobState.HELD)
    titles = sorted(job.title for job in jobs)
    assert titles[0] == "../../etc/passwd"
    # cupsd itself replaces a job-name that is not UTF-8; the backend's own handling is tested below.
    assert titles[1] == "Untitled"
    assert all(key.isalnum() for key in stack.runtime.spool.keys())
    assert not os.path.exists(stack.settings.data_dir / "etc")


def test_jobs_wait_in_cups_while_the_server_is_down(stack, documents):
    stack.stop_server()
    ids = [stack.lp(documents["pdf"], title=f"정전 중 {n}") for n in range(3)]
    server = stack.runtime.print_server()
    wait_until(lambda: server.queue("secure-print").state == PRINTER_STOPPED, what="queue paused")
    assert "unreachable" in server.queue("secure-print").state_message
    for cups_id in ids:
        assert stack.cups_job(cups_id)["job-state"] == PENDING, "no job may be lost or aborted"
    assert stack.jobs() == []
    stack.start_server()
    held = stack.wait_jobs(3, JobState.HELD)
    assert sorted(j.title for j in held) == ["정전 중 0", "정전 중 1", "정전 중 2"]
    for cups_id in ids:
        wait_until(lambda: stack.cups_job(cups_id)["job-state"] == COMPLETED)
    assert len(stack.jobs()) == 3


def run_backend(stack, document, options, token=None, title="두 번 보낸 문서"):
    """Run the installed backend by hand, as cupsd would, against the test's server."""
    env = {"DEVICE_URI": capture_uri(stack.url, token) if token else stack.device_uri,
           "CONTENT_TYPE": "application/pdf", "PRINTER": "secure-print"}
    argv = [str(stack.cupsd.backend_dir / "printrelease"), "41", "이지영", title, "1", options, str(document)]
    return subprocess.run(argv, env=env, capture_output=True, text=True)


def test_a_job_delivered_twice_is_held_once(stack, documents):
    options = "job-uuid=urn:uuid:0f0e0d0c-0000-4000-8000-000000000001 job-originating-host-name=10.1.2.3"
    first = run_backend(stack, documents["pdf"], options)
    second = run_backend(stack, documents["pdf"], options)
    assert (first.returncode, second.returncode) == (0, 0), first.stderr + second.stderr
    assert "INFO: 보류 중: 아무 프린터에서나 카드를 대면 출력됩니다" in first.stderr  # Korean first, as CUPS shows it
    assert "already captured" in second.stderr
    (job,) = stack.jobs()
    assert job.originating_host == "10.1.2.3"


def test_the_backend_passes_invalid_utf8_through_as_replacement_characters(stack, documents):
    title = os.fsdecode(b"\xff\xfe \xec\x98\x88\xec\x82\xb0 report")
    done = run_backend(stack, documents["pdf"], "job-uuid=urn:uuid:bytes", title=title)
    assert done.returncode == 0, done.stderr
    (job,) = stack.jobs()
    assert job.title == "\ufffd\ufffd 예산 report"


def test_backend_exit_codes(stack, documents, tmp_path):
    bad = run_backend(stack, documents["pdf"], "job-uuid=urn:uuid:x", token="not-the-token")
    assert bad.returncode == 4 and "credential" in bad.stderr
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    refused = run_backend(stack, empty, "job-uuid=urn:uuid:y")
    assert refused.returncode == 5 and "empty" in refused.stderr
    stack.stop_server()
    down = run_backend(stack, documents["pdf"], "job-uuid=urn:uuid:z")
    assert down.returncode == 4 and "unreachable" in down.stderr
    discovery = subprocess.run([str(stack.cupsd.backend_dir / "printrelease")], capture_output=True, text=True)
    assert discovery.returncode == 0 and discovery.stdout.startswith("network printrelease ")


def test_a_class_of_capture_queues_captures_in_parallel(stack, documents):
    stack.install_queue("secure-class", members=2)
    for n in range(6):
        stack.lp(documents["pdf"], "이지영", f"병렬 {n}", "secure-class")
    held = stack.wait_jobs(6, JobState.HELD)
    assert len({j.cups_job_uuid for j in held}) == 6
    assert {j.source_queue for j in held} <= {"secure-class-capture-1", "secure-class-capture-2"}


def test_install_queue_command(stack, tmp_path):
    backend_dir = tmp_path / "backend"
    backend_dir.mkdir()
    done = stack.cli("cups", "install-queue", "--name", "secure-cli", "--backend-dir", str(backend_dir),
                     "--server-url", stack.url)
    assert "secure-cli" in done.stdout
    installed = backend_dir / "printrelease"
    assert installed.read_bytes().startswith(b"\x7fELF"), "the backend is built from drivers/printrelease-backend.c"
    assert oct(installed.stat().st_mode & 0o777) == "0o755"
    server = stack.runtime.print_server()
    assert server.queue("secure-cli").accepting, "the class users print to"
    for member in (f"secure-cli-capture-{n}" for n in range(1, DEFAULT_MEMBERS + 1)):
        queue = server.queue(member)
        assert queue.device_uri.startswith("printrelease://") and queue.accepting
        assert "two-sided-long-edge" in queue.sides_supported and "color" in queue.color_modes_supported


def test_a_queue_that_requires_authentication_refuses_anonymous_jobs(stack, documents, tmp_path):
    backend_dir = tmp_path / "backend"
    backend_dir.mkdir()
    stack.cli("cups", "install-queue", "--name", "secure-auth", "--members", "1", "--auth", "basic",
              "--backend-dir", str(backend_dir), "--server-url", stack.url)
    # An ordinary account without credentials, claiming to be someone else (root would be let in:
    # CUPS trusts local root). The document comes on stdin, so file permissions play no part.
    with open(documents["pdf"], "rb") as document:
        refused = subprocess.run(["runuser", "-u", "nobody", "--", "lp", "-h", stack.cupsd.address, "-d",
                                  "secure-auth", "-U", "김성렬"], capture_output=True, text=True, stdin=document,
                                 cwd="/")
    assert refused.returncode != 0 and "nauthorized" in refused.stderr, refused.stderr
    assert stack.jobs() == []
    host, port = stack.cupsd.address.split(":")
    attributes = cups.Connection(host=host, port=int(port)).getPrinterAttributes("secure-auth")
    assert attributes["auth-info-required"] in ("username,password", ["username", "password"])
