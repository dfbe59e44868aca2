"""Which cupsd the sandbox runs: the installed one, unless that build is known to crash
(printrelease.cupsbugs); then the build before it, fetched once from Debian's archive into a cache.

The test suite and the demo must exercise CUPS as a site runs it, and a site with a known-broken build
is told by `printrelease doctor` to hold the good one: the sandbox does the same without touching the
machine's packages. Only the daemon is swapped; clients, filters and backends stay the installed ones.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from printrelease.cupsbugs import installed_cupsd_version, known_problem

CACHE = Path(os.environ.get("PRINTRELEASE_CUPSD_CACHE", "/var/cache/printrelease-sandbox"))


def cupsd_program() -> str:
    """The cupsd to start: "cupsd" from PATH, or the path of a known-good build of the same package."""
    version = installed_cupsd_version()
    known = known_problem(version)
    if known is None:
        return "cupsd"
    target = CACHE / f"cups-daemon-{known.good}"
    program = target / "usr" / "sbin" / "cupsd"
    if program.exists():
        return str(program)
    CACHE.mkdir(parents=True, exist_ok=True)
    with open(CACHE / ".lock", "w") as lock:  # test sessions started side by side fetch it once
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not program.exists():
            _fetch(known.good, target, version)
    return str(program)


def _fetch(good: str, target: Path, broken: str | None) -> None:
    with tempfile.TemporaryDirectory(dir=CACHE) as scratch:
        download = subprocess.run(["apt-get", "download", "-q", "-o", "APT::Sandbox::User=root",
                                   f"cups-daemon={good}"], cwd=scratch, capture_output=True, text=True)
        packages = list(Path(scratch).glob("cups-daemon_*.deb"))
        if download.returncode != 0 or not packages:
            raise RuntimeError(f"the installed cups-daemon {broken} is known to crash (printrelease doctor says how) "
                               f"and Debian's cups-daemon {good} could not be fetched for the sandbox: "
                               f"{download.stderr.strip() or download.stdout.strip()}")
        unpacked = Path(scratch) / "root"
        subprocess.run(["dpkg-deb", "-x", str(packages[0]), str(unpacked)], check=True, capture_output=True)
        shutil.move(str(unpacked), target)
