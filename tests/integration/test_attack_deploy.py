"""Attacked as a new administrator on a bad day: `make install` as the README says, then the README's
commands run as root from root's own home (a folder the service user cannot enter), backups into the
wrong folders, a restore onto a fresh installation, a configuration the service cannot read, and the
web behind the README's reverse proxy with a colleague guessing passwords. Debian's stock cupsd policy
over its local socket, the server started from the installed unit as the service user.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from sandbox.cupsd import wait_for_port
from tests.integration.test_deployment import CHECKOUT, SERVICE_USER, Site

PASSWORD = "김성렬의-비밀번호"


class Installed(Site):
    """A server machine after `make install` and the CUPS set-up, with an administrator's home folder."""

    def __init__(self, root: Path):
        super().__init__(root)
        self.home = root / "root"  # like /root: the administrator's alone
        self.config = Path(self.env()["PRINTRELEASE_CONFIG"])

    def run(self, *args: str, cwd: Path | None = None, user: str | None = None, check: bool = True):
        command = ["runuser", "-u", user, "--", *args] if user else list(args)
        done = subprocess.run(command, cwd=cwd or self.home, env=self.env(), capture_output=True, text=True,
                              timeout=300)
        if check:
            assert done.returncode == 0, f"{' '.join(args)}\n{done.stdout}{done.stderr}{self.server_log()}"
        return done

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


@pytest.fixture(scope="module")
def site():
    root = Path(tempfile.mkdtemp(prefix="printrelease-attack-"))
    os.chmod(root, 0o755)
    site = Installed(root)
    site.shims.mkdir()
    shutil.copy(CHECKOUT / "tests" / "integration" / "deploy" / "systemctl", site.shims / "systemctl")
    (root / "state").mkdir()
    site.home.mkdir(mode=0o700)
    site.cupsd.start()
    site.cupsd.add_folder_printer("dept-3f", root / "output" / "dept-3f", "3층 기획예산과")
    try:
        site.run("make", "install", cwd=CHECKOUT)
        site.run("printrelease", "cups", "install-queue", "--share")
        site.run("printrelease", "printers", "sync")
        site.run("printrelease", "users", "add", "kimsr", "--name", "김성렬")
        site.run("printrelease", "users", "set-password", "kimsr", "--password", PASSWORD)
        site.run("printrelease", "cards", "add", "kimsr", "04A1B2C3D4E5F6")
        site.run("systemctl", "start", "printrelease")
        wait_for_port(site.port, timeout=60)
        yield site
    finally:
        subprocess.run(["systemctl", "stop", "printrelease"], env=site.env(), capture_output=True)
        site.cupsd.stop()
        shutil.rmtree(root, ignore_errors=True)


def readme_line(starting: str) -> str:
    (line,) = [line.strip() for line in (CHECKOUT / "README.md").read_text().splitlines()
               if line.strip().startswith(starting)]
    return line.split("#")[0].strip()


def test_the_readmes_station_token_is_written_from_roots_home(site):
    line = readme_line("printrelease stations add dept-3f-reader")
    done = site.run("bash", "-c", line)
    assert "token written to dept-3f-reader.token" in done.stdout
    token = site.home / "dept-3f-reader.token"
    assert (token.owner(), oct(token.stat().st_mode & 0o777)) == ("root", "0o600")
    assert "dept-3f-reader" in site.run("printrelease", "stations", "list").stdout


def test_a_report_is_written_in_roots_home(site):
    done = site.run("printrelease", "report", "--from", "2026-01-01", "--to", "2026-12-31", "-o", "usage.csv")
    assert "usage.csv" in done.stdout and (site.home / "usage.csv").owner() == "root"
    folder = site.run("printrelease", "report", "monthly", "--to-folder", "monthly", check=False)
    assert folder.returncode == 1 and "cannot write in monthly" in folder.stderr and "Traceback" not in folder.stderr


def test_a_backup_never_gives_away_a_folder_nor_fails_with_a_traceback(site):
    busy = site.root / "srv"
    busy.mkdir()
    (busy / "something").write_text("in use\n")
    refused = site.run("printrelease", "backup", str(busy), check=False)
    assert refused.returncode == 1 and "is not empty" in refused.stderr
    assert busy.owner() == "root", "a folder in use stays its owner's"
    unreachable = site.run("printrelease", "backup", "today", check=False)  # under root's home
    assert unreachable.returncode == 1 and "cannot write in" in unreachable.stderr, unreachable.stderr
    assert "Traceback" not in unreachable.stderr and not (site.home / "today").exists()


def test_doctor_names_a_configuration_the_service_cannot_read(site):
    os.chmod(site.config, 0o600)
    shutil.chown(site.config, "root", "root")
    try:
        done = site.run("printrelease", "doctor", check=False)
    finally:
        shutil.chown(site.config, "root", SERVICE_USER)
        os.chmod(site.config, 0o640)
    assert done.returncode == 1
    assert "FAIL  configuration" in done.stdout and f"chown root:{SERVICE_USER} {site.config}" in done.stdout


def test_other_accounts_are_told_what_to_run(site):
    done = site.run("printrelease", "jobs", "list", user="nobody", check=False)
    assert done.returncode == 78 and "Traceback" not in done.stderr and "sudo printrelease" in done.stderr
    assert site.run("printrelease", "jobs", "list", user=SERVICE_USER, cwd=site.root).returncode == 0


def test_the_queue_set_up_is_in_the_audit_trail(site):
    trail = site.run("printrelease", "audit", "--action", "cups.install_queue").stdout
    assert "cli:root\tcups.install_queue\tsecure-print\tauthentication none, shared yes" in trail


def nginx_block() -> str:
    match = re.search(r"```nginx\n(.*?)```", (CHECKOUT / "README.md").read_text(), re.S)
    assert match, "README.md has no nginx example"
    return match.group(1)


def log_in(site, login: str, password: str, client: str, forged: str = "") -> int:
    """POST /api/v1/session as the README's nginx passes it on: the client's own X-Forwarded-For (any
    forgery) with the address nginx saw appended ($proxy_add_x_forwarded_for)."""
    request = urllib.request.Request(site.url("/api/v1/session"), method="POST",
                                     data=json.dumps({"login": login, "password": password}).encode(),
                                     headers={"Content-Type": "application/json",
                                              "X-Forwarded-For": ", ".join(filter(None, [forged, client]))})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


def test_guessing_through_the_readmes_proxy_locks_out_neither_a_colleague_nor_the_site(site):
    proxy = nginx_block()
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for" in proxy
    assert "client_max_body_size 0" not in proxy and "proxy_request_buffering off" in proxy
    for n in range(30):
        assert log_in(site, "kimsr", f"guess {n}", "10.0.0.66", forged=f"10.1.0.{n}") in (401, 429)
        assert log_in(site, f"made-up-{n}", "guess", "10.0.0.66") in (401, 429)
    assert log_in(site, "kimsr", "one more", "10.0.0.66") == 429, "the guesser is slowed down"
    assert log_in(site, "kimsr", PASSWORD, "10.0.0.7") == 201, "the colleague at their own desk is not"


def test_a_backup_restores_onto_a_fresh_installation_as_the_readme_says(site):
    """Last: it replaces the site's data folder. A fresh installation is what `make install` leaves: a
    data folder with a migrated, empty database."""
    backup = site.root / "backups" / "before"
    site.run("printrelease", "backup", str(backup))
    site.run("systemctl", "stop", "printrelease")
    data = Path(site.env()["DATA_DIR"])
    data.rename(site.root / "data.old")
    subprocess.run(["install", "-d", "-o", SERVICE_USER, "-g", SERVICE_USER, "-m", "750", str(data)], check=True)
    site.run("printrelease", "db", "upgrade")
    restored = site.run("printrelease", "restore", str(backup), check=False)
    assert restored.returncode == 0, restored.stderr
    assert "…E5F6" in site.run("printrelease", "cards", "list", "kimsr").stdout
    assert "dept-3f-reader" in site.run("printrelease", "stations", "list").stdout
    again = site.run("printrelease", "restore", str(backup), check=False)
    assert again.returncode == 1 and "already holds data" in again.stderr
    site.run("systemctl", "start", "printrelease")
    wait_for_port(site.port, timeout=60)
    assert log_in(site, "kimsr", PASSWORD, "10.0.0.8") == 201
