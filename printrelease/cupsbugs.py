"""CUPS builds known to break printing in a way printrelease cannot work around, for `printrelease doctor`."""

from __future__ import annotations

import subprocess

# Debian package version of cups-daemon -> what goes wrong, seen on that build with its stock cupsd.conf.
KNOWN_BROKEN = {
    "2.4.2-3+deb12u10": (
        "this cupsd crashes (SIGSEGV) on every job whose document name has a space in it (lp \"a b.pdf\", "
        "most desktop print dialogs): the job is lost and every queue stops until cupsd is restarted; "
        "2.4.2-3+deb12u9 does not (seen 2026-12-02)"),
}
REMEDY = ("until Debian ships a fixed build: apt-get install --allow-downgrades cups-daemon=2.4.2-3+deb12u9 "
          "&& apt-mark hold cups-daemon (this gives up u10's security fixes: weigh it), then restart cups")


def installed_cupsd_version() -> str | None:
    """The Debian version of the installed cups-daemon, or None (not Debian, not installed)."""
    try:
        done = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "cups-daemon"], capture_output=True, text=True,
                              timeout=10, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() or None if done.returncode == 0 else None


def known_problem(version: str | None) -> str | None:
    """What is wrong with this cups-daemon build, or None if nothing is known."""
    return KNOWN_BROKEN.get(version or "")
