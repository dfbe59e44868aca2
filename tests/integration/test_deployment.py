"""The README's deployment, run as written: `make install` with a service user, Debian's stock CUPS policy
through a local socket, a real IPP printer; print, an outage of printrelease, backup and upgrade.

The commands come from README.md's blocks marked `<!-- deploy-test: NAME -->`, so the README and this
test cannot drift apart. Only these changes are made: paths and addresses point into this test's own
root, cupsd and ports (the environment that `make install` and `printrelease` read), systemctl is a
stand-in that runs the unit's ExecStart as its User (no systemd here), and the lines in SKIPPED are not
run, for the reason given.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from sandbox.cupsd import PrivateCups, free_port, wait_for_port
from sandbox.documents import make_pdf
from sandbox.ippeve import IppEverywherePrinter
from tests.integration.conftest import wait_until

CHECKOUT = Path(__file__).resolve().parents[2]
SERVICE_USER = "printrelease-test"
SKIPPED = {
    "git clone": "the test runs in this checkout",
    "git pull": "the test runs in this checkout",
    "cupsctl --share-printers": "it would open the test's cupsd to the network",
}


def readme_block(name: str) -> list[str]:
    text = (CHECKOUT / "README.md").read_text()
    match = re.search(rf"<!-- deploy-test: {name} -->\n```sh\n(.*?)```", text, re.S)
    assert match, f"README.md has no block marked deploy-test: {name}"
    return [line for line in match.group(1).splitlines() if line.strip()]


class Site:
    """A server machine in a folder: its config, venv, data, units, a stock cupsd and a printer."""

    def __init__(self, root: Path):
        self.root = root
        self.cupsd = PrivateCups(root / "cups", stock=True)
        self.printer = IppEverywherePrinter(root / "printer", name="dept-3f")
        self.port = free_port()
        self.shims = root / "shims"
        self.substitutions = {
            "https://print.example.go.kr": f"http://127.0.0.1:{self.port}",
            "print.example.go.kr": self.cupsd.address,
            "staff.csv": str(root / "admin" / "staff.csv"),  # in a folder like /root: root's only
            "report.pdf": str(root / "report.pdf"),
            "dept-3f-reader.token": str(root / "dept-3f-reader.token"),
            "/var/backups/printrelease/$(date +%F)": str(root / "backups" / "first"),
        }

    def env(self) -> dict[str, str]:
        root = self.root
        return {"PATH": f"{self.shims}:{root / 'bin'}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                "HOME": "/root", "LANG": "C.UTF-8", "PREFIX": str(root / "opt"),
                "PRINTRELEASE_CONFIG": str(root / "etc" / "printrelease.conf"), "DATA_DIR": str(root / "data"),
                "SERVICE_USER": SERVICE_USER, "CUPS_SOCKET": str(self.cupsd.socket), "BIN_DIR": str(root / "bin"),
                "UNIT_DIR": str(root / "units"), "SYSTEMCTL_STATE": str(root / "state"),
                "SHIM_PORT": str(self.port), "PRINTRELEASE_CUPS_BACKEND_DIR": str(self.cupsd.backend_dir),
                "PRINTRELEASE_SERVER_URL": f"http://127.0.0.1:{self.port}", "PRINTRELEASE_SWEEP_INTERVAL": "1"}

    def run_block(self, name: str) -> str:
        """Run the README block's lines one by one, each as it is written there (bar SKIPPED)."""
        output = []
        for line in readme_block(name):
            if any(line.startswith(prefix) for prefix in SKIPPED):
                continue
            for text, replacement in self.substitutions.items():
                line = line.replace(text, replacement)
            done = subprocess.run(["bash", "-c", line], cwd=CHECKOUT, env=self.env(), capture_output=True,
                                  text=True, timeout=600)
            output.append(f"$ {line}\n{done.stdout}{done.stderr}")
            assert done.returncode == 0, "\n".join(output) + self.server_log()
        return "\n".join(output)

    def cli(self, *args: str) -> str:
        done = subprocess.run(["printrelease", *args], env=self.env(), capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    def server_log(self) -> str:
        log = self.root / "state" / "printrelease.log"
        return "\nserver log:\n" + log.read_text()[-3000:] if log.exists() else ""

    def capture_queues(self) -> dict[str, str]:
        done = subprocess.run(["lpstat", "-h", str(self.cupsd.socket), "-p"], capture_output=True, text=True)
        return {line.split()[1]: line for line in done.stdout.splitlines()
                if line.startswith("printer secure-print-capture")}

    def held(self) -> list[str]:
        return [line for line in self.cli("jobs", "list").splitlines() if "\theld\t" in line]


@pytest.fixture(scope="module")
def site():
    root = Path(tempfile.mkdtemp(prefix="printrelease-deploy-"))
    os.chmod(root, 0o755)  # the service user and CUPS's lp enter it, as they would /opt and /var/lib
    site = Site(root)
    site.shims.mkdir()
    shutil.copy(CHECKOUT / "tests" / "integration" / "deploy" / "systemctl", site.shims / "systemctl")
    (root / "state").mkdir()
    site.cupsd.start()
    site.printer.start()
    subprocess.run(["lpadmin", "-h", str(site.cupsd.socket), "-p", "dept-3f", "-E", "-v", site.printer.uri,
                    "-m", "everywhere", "-L", "3층 기획예산과"], check=True, capture_output=True)
    (root / "admin").mkdir(mode=0o700)
    staff = "login,display_name,department,department_name,card\nkimsr,김성렬,budget,기획예산과,04A1B2C3D4E5F6\n"
    (root / "admin" / "staff.csv").write_bytes(staff.encode("cp949"))
    make_pdf(root / "report.pdf", "예산안 2013", pages=1)
    try:
        yield site
    finally:
        subprocess.run(["systemctl", "stop", "printrelease"], env=site.env(), capture_output=True)
        site.printer.stop()
        site.cupsd.stop()
        shutil.rmtree(root, ignore_errors=True)


def test_install_print_outage_backup_upgrade_as_the_readme_says(site):
    installed = site.run_block("server")
    assert "authentication: none" in installed and "anyone who can reach it can print under any name" in installed
    config = Path(site.env()["PRINTRELEASE_CONFIG"])
    assert oct(config.stat().st_mode & 0o777) == "0o640" and "PRINTRELEASE_CARD_KEY=" in config.read_text()
    assert not (site.root / "opt" / "bin" / "pytest").exists()  # no test tools in production
    printers = site.cli("printers", "list")
    assert "dept-3f" in printers and "secure-print" not in printers  # the class and its members skipped
    wait_for_port(site.port, timeout=60)

    # Print as a user: held under the owner's name.
    site.run_block("print")
    wait_until(lambda: len(site.held()) == 1, timeout=60, what="the first job held")

    # The server stops; desks go on printing: the backend stops capture queues, keeping the jobs.
    subprocess.run(["systemctl", "stop", "printrelease"], env=site.env(), check=True)
    for n in range(3):
        subprocess.run(["lp", "-h", site.cupsd.address, "-U", "kimsr", "-d", "secure-print", "-t", f"during {n}",
                        str(site.root / "report.pdf")], check=True, capture_output=True)
    wait_until(lambda: any("disabled" in line for line in site.capture_queues().values()), timeout=60,
               what="a capture queue stopped by the backend")
    # Back again: the service user resumes the queues by itself under the stock policy, and captures.
    subprocess.run(["systemctl", "start", "printrelease"], env=site.env(), check=True)
    wait_until(lambda: len(site.held()) == 4, timeout=90, what="the jobs printed during the outage")
    wait_until(lambda: not any("disabled" in line for line in site.capture_queues().values()), timeout=30,
               what="the capture queues resumed")
    assert "queue_resumed queue=secure-print-capture" in site.server_log()

    # Released to the real IPP printer; the audit trail names root, not the owner.
    before = len(site.printer.documents())
    released = site.cli("jobs", "release", "--user", "kimsr", "--printer", "dept-3f", "--job",
                        site.held()[0].split("\t")[0], "--timeout", "120")
    assert "printed" in released
    wait_until(lambda: len(site.printer.documents()) > before, what="the document at the printer")

    site.run_block("backup")
    assert (site.root / "backups" / "first" / "manifest.json").exists()
    assert oct((site.root / "backups" / "first").stat().st_mode & 0o777) == "0o700"

    # Upgrade: the same commands; data, capture credential and cards survive.
    upgraded = site.run_block("upgrade")
    assert "keeping the configuration" in upgraded
    wait_for_port(site.port, timeout=60)
    assert len(site.held()) == 3 and "…E5F6" in site.cli("cards", "list", "kimsr")
    subprocess.run(["lp", "-h", site.cupsd.address, "-U", "kimsr", "-d", "secure-print", "-t", "after upgrade",
                    str(site.root / "report.pdf")], check=True, capture_output=True)
    wait_until(lambda: len(site.held()) == 4, timeout=60, what="a job captured after the upgrade")
    data_files = [p for p in (site.root / "data").rglob("*")]
    assert all(p.owner() == SERVICE_USER for p in data_files), [(p, p.owner()) for p in data_files]
