"""What a real cupsd keeps of a release's copy: the attempt's job-uuid, a long Korean title cut to an IPP
name's 255 octets (a longer one CUPS would call "Untitled"), and a large document sent in paced steps."""

import subprocess
from uuid import uuid4

import pytest

from printrelease.printing import HELD, job_name
from printrelease.printing.cups import UPLOAD_CHUNK, CupsPrintServer
from printrelease.release.lease import copy_uuid
from sandbox.documents import make_pdf
from tests.waiting import wait_until


def test_a_held_copy_keeps_its_attempt_and_its_long_title_cut_on_a_character(cupsd, tmp_path):
    server, title = CupsPrintServer(cupsd.address), "2026년도 기획예산과 세출예산 집행계획안 " * 10
    document = make_pdf(tmp_path / "a.pdf", "예산안", 1)
    attempts = [str(uuid4()), str(uuid4())]
    ids = [server.submit_held("dept-a", document, title, "kimsr", {"job-uuid": copy_uuid(a)}) for a in attempts]
    try:
        copies = {j.id: j for j in server.jobs("dept-a", "kimsr")}
        assert [copies[i].uuid for i in ids] == [copy_uuid(a) for a in attempts]
        assert all(copies[i].state == HELD for i in ids)
        name = job_name(title)
        assert len(title.encode()) > 255 >= len(name.encode()) > 250 and title.startswith(name)
        assert [copies[i].name for i in ids] == [name, name]
    finally:
        for i in ids:
            subprocess.run(["cancel", "-h", cupsd.address, "-x", str(i)], capture_output=True)


def test_a_paced_upload_reaches_the_printer_whole_and_paces_at_every_step(cupsd, tmp_path):
    """A large document goes to CUPS in steps (Create-Job, Send-Document in chunks), each followed by
    the pace call that lets a tap elsewhere go first; the printer gets exactly the bytes sent."""
    server = CupsPrintServer(cupsd.address)
    document = make_pdf(tmp_path / "large.pdf", "대용량 문서", 30)
    body = document.read_bytes() + b"%" * (3 * UPLOAD_CHUNK)  # after %%EOF: still a PDF, several chunks long
    document.write_bytes(body)
    steps = []
    job_id = server.submit_held("dept-a", document, "대용량 문서", "kimsr", {"job-uuid": copy_uuid(str(uuid4()))},
                                pace=lambda: steps.append(len(steps)))
    assert len(steps) == -(-len(body) // UPLOAD_CHUNK)
    copy = server.job(job_id)
    assert copy.state == HELD and copy.owner == "kimsr" and copy.name == "대용량 문서"
    server.release(job_id, "kimsr")
    folder = cupsd.output_root / "dept-a"
    wait_until(lambda: server.job(job_id).is_finished and any(folder.glob("*")), timeout=60)
    assert [path.read_bytes() for path in folder.glob("*") if path.read_bytes() == body], "the bytes arrived whole"


def test_a_paced_upload_stopped_midway_takes_its_copy_away_and_leaves_a_working_connection(cupsd, tmp_path):
    """As printFile does: the copy CUPS made for a failed upload goes (its caller may no longer own the
    release, and nobody else would cancel it), and the same thread's next call works."""
    server, attempt = CupsPrintServer(cupsd.address), copy_uuid(str(uuid4()))
    document = make_pdf(tmp_path / "large.pdf", "중단", 1)
    document.write_bytes(document.read_bytes() + b"%" * (2 * UPLOAD_CHUNK))

    class Stopped(Exception):
        pass

    def pace():
        raise Stopped()

    with pytest.raises(Stopped):
        server.submit_held("dept-a", document, "중단", "kimsr", {"job-uuid": attempt}, pace=pace)
    assert [job for job in server.jobs("dept-a", "kimsr") if job.uuid == attempt] == []
