"""A card station installed as the README says, into a fresh virtual environment with only [station]: no
Flask, no database drivers, no pycups; its agent, run as the service user from the unit, releases a tap.
Uses pcscd and the virtual reader: run under the suite lock."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from printrelease.jobs.models import JobState
from sandbox.pcsc import VirtualCard
from tests.integration.conftest import wait_until
from tests.integration.test_deployment import CHECKOUT, readme_block
from tests.integration.test_stations import KIM_UID

STATION_USER = "printrelease-station-test"


def test_a_station_from_the_readme_releases_with_only_the_station_extra(stack, documents, virtual_readers):
    root = Path(tempfile.mkdtemp(prefix="printrelease-station-"))
    os.chmod(root, 0o755)
    (root / "state").mkdir()
    shims = root / "shims"
    shims.mkdir()
    shutil.copy(CHECKOUT / "tests" / "integration" / "deploy" / "systemctl", shims / "systemctl")
    env = {"PATH": f"{shims}:{root / 'bin'}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
           "HOME": "/root", "LANG": "C.UTF-8", "PREFIX": str(root / "opt"), "BIN_DIR": str(root / "bin"),
           "PRINTRELEASE_CONFIG": str(root / "etc" / "printrelease.conf"), "SERVICE_USER": STATION_USER,
           "UNIT_DIR": str(root / "units"), "SYSTEMCTL_STATE": str(root / "state"), "READER": "Virtual PCD 00 00"}
    token = root / "dept-3f-reader.token"
    stack.cli("users", "add", "kimsr", "--name", "김성렬")
    stack.cli("cards", "add", "kimsr", KIM_UID)
    stack.cli("stations", "add", "dept-3f-reader", "--printer", "dept-a", "--token-file", str(token))
    try:
        output = []
        for line in readme_block("station"):
            line = line.replace("https://print.example.go.kr", stack.url).replace("dept-3f-reader.token", str(token))
            done = subprocess.run(["bash", "-c", line], cwd=CHECKOUT, env=env, capture_output=True, text=True,
                                  timeout=600)
            output.append(f"$ {line}\n{done.stdout}{done.stderr}")
            assert done.returncode == 0, "\n".join(output)
        assert "station dept-3f-reader at printer dept-a" in output[-1]
        python = root / "opt" / "bin" / "python"
        for heavy in ("flask", "sqlalchemy", "cups", "psycopg"):
            assert subprocess.run([python, "-c", f"import {heavy}"], capture_output=True).returncode != 0, heavy
        installed = Path(env["PRINTRELEASE_CONFIG"]).parent / "station.token"
        assert installed.owner() == STATION_USER and oct(installed.stat().st_mode & 0o777) == "0o600"

        # A token the agent cannot read: one line and exit status 78 (the unit does not restart on it).
        os.chown(installed, 0, 0)
        agent = root / "opt" / "bin" / "printrelease-station"
        refused = subprocess.run(["runuser", "-u", STATION_USER, "--", str(agent), "run"], env=env,
                                 capture_output=True, text=True, timeout=60)
        assert refused.returncode == 78 and "is not readable by" in refused.stderr, refused.stderr
        assert "RestartPreventExitStatus=78" in (root / "units" / "printrelease-station.service").read_text()
        shutil.chown(installed, STATION_USER, STATION_USER)

        stack.lp(documents["pdf"], "kimsr", "예산안.pdf")
        stack.wait_jobs(1, JobState.HELD)
        subprocess.run(["systemctl", "start", "printrelease-station"], env=env, check=True)
        log = root / "state" / "printrelease-station.log"
        wait_until(lambda: log.exists() and "ready" in log.read_text(), timeout=60, what="the agent's reader")
        with VirtualCard(KIM_UID):
            wait_until(lambda: "released" in log.read_text(), timeout=30, what="the tap's answer")
        stack.wait_jobs(1, JobState.PRINTED, timeout=60)
        assert "ok    station dept-3f-reader" in stack.cli("doctor", check=False).stdout
    finally:
        subprocess.run(["systemctl", "stop", "printrelease-station"], env=env, capture_output=True)
        shutil.rmtree(root, ignore_errors=True)
