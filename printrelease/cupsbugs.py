"""CUPS builds known to break printing in ways printrelease cannot work around, for `printrelease doctor`."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass


@dataclass(frozen=True)
class KnownProblem:
    problem: str  # what goes wrong, as seen with that build and Debian's stock cupsd.conf
    good: str  # the build before it, which does not do this


# Debian package version of cups-daemon -> what is wrong with it.
KNOWN_BROKEN = {
    "2.4.2-3+deb12u10": KnownProblem(
        "this cupsd crashes (SIGSEGV) on a job whose document name has a space in it (lp \"a b.pdf\", most "
        "desktop print dialogs), and under the stock policy on a job sent by a user who has no account on this "
        "machine (directory users, and every release printrelease makes in its owner's name): jobs are lost and "
        "printing stops until cupsd is restarted (seen 2026-12-02)",
        "2.4.2-3+deb12u9"),
}


def installed_cupsd_version() -> str | None:
    """The Debian version of the installed cups-daemon, or None (not Debian, not installed)."""
    try:
        done = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "cups-daemon"], capture_output=True, text=True,
                              timeout=10, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return (done.stdout.strip() or None) if done.returncode == 0 else None


def known_problem(version: str | None) -> KnownProblem | None:
    """What is wrong with this cups-daemon build, or None if nothing is known."""
    return KNOWN_BROKEN.get(version or "")


def remedy(known: KnownProblem) -> str:
    return (f"until Debian ships a fixed build: apt-get install --allow-downgrades cups-daemon={known.good} && "
            "apt-mark hold cups-daemon (this gives up the newer build's security fixes: weigh it), then restart "
            "cups; apt-mark unhold cups-daemon once a fixed build is out")
