"""`make demo`'s sandbox, as a newcomer uses it: print with lp, tap a badge, find the page."""

import os
import re
import subprocess
import tempfile
from pathlib import Path

import pytest

from printrelease.jobs.models import JobState
from printrelease.jobs.service import list_jobs
from sandbox.cupsd import free_port
from sandbox.demo import CARDS, CODE_PLACEHOLDER, Sandbox
from tests.integration.conftest import wait_until


@pytest.fixture
def sandbox():
    root = Path(tempfile.mkdtemp(prefix="printrelease-demo-"))
    os.chmod(root, 0o755)
    sandbox = Sandbox(root / "demo", cups_port=free_port(), server_port=free_port())
    runtime = sandbox.start()
    yield sandbox, runtime
    sandbox.stop()
    runtime.close()
    subprocess.run(["rm", "-rf", str(root)])


def test_print_then_tap_in_the_sandbox(sandbox):
    sandbox, runtime = sandbox
    assert "python -m sandbox tap kimsr" in sandbox.instructions()
    subprocess.run(["lp", "-h", sandbox.cups.address, "-d", "secure-print", "-U", "kimsr", "-t", "예산안 2013.pdf",
                    str(sandbox.sample_document)], check=True, capture_output=True)

    def held():
        with runtime.sessions() as session:
            return list_jobs(session, owner="kimsr", states=[JobState.HELD])

    wait_until(held, what="the demo job to be held")
    assert "released (1 job(s), 3 page(s)" in sandbox.tap(CARDS["kimsr"])
    printed = wait_until(lambda: list(sandbox.output_dir("dept-3f").glob("*.pdf")), what="the page at dept-3f")
    assert printed[0].read_bytes() == sandbox.sample_document.read_bytes()
    assert "unknown_card" in sandbox.tap("0A0B0C0D")
    (code,) = re.findall(r"claim code (\d{6}) ", sandbox.station_log.read_text())
    # The instructions' own curl lines: log in as 박민호 and claim the badge just refused, with its code.
    for line in [text.strip() for text in sandbox.instructions().splitlines() if text.strip().startswith("curl ")]:
        done = subprocess.run(line.replace(CODE_PLACEHOLDER, code), shell=True, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
    assert '"last4":"0C0D"' in done.stdout.replace(" ", "")
    assert "user 박민호" in sandbox.tap("0A0B0C0D")
