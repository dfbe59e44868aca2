"""What a real cupsd keeps of a release's copy: the attempt's job-uuid, and a long Korean title cut to
an IPP name's 255 octets (a longer one CUPS would call "Untitled")."""

import subprocess
from uuid import uuid4

from printrelease.printing import HELD, job_name
from printrelease.printing.cups import CupsPrintServer
from printrelease.release.lease import copy_uuid
from sandbox.documents import make_pdf


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
