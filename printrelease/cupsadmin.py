"""Installing the capture backend and the virtual queue into a CUPS server, and resuming it after outages."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from printrelease.errors import PrintReleaseError
from printrelease.i18n import N_, bilingual
from printrelease.printing import PRINTER_STOPPED, PrintServer

BACKEND_SCHEME = "printrelease"


class CupsAdminError(PrintReleaseError):
    code = "cups_admin"


BACKEND_SOURCE = "printrelease-backend.c"


def drivers_dir() -> Path:
    """The drivers/ folder: beside the package in a checkout, under share/ in an installed copy."""
    for candidate in (Path(__file__).resolve().parent.parent / "drivers",
                      Path(sys.prefix) / "share" / "printrelease" / "drivers"):
        if (candidate / BACKEND_SOURCE).exists():
            return candidate
    raise CupsAdminError(N_("cannot find the printrelease drivers folder (backend and PPD)"))


def build_backend(output: Path) -> Path:
    """Compile the capture backend (C, so that starting it per job costs next to nothing)."""
    compiler = os.environ.get("CC", "cc")
    command = [compiler, "-O2", "-Wall", "-Wextra", "-o", str(output), str(drivers_dir() / BACKEND_SOURCE)]
    try:
        done = subprocess.run(command, capture_output=True, text=True)
    except FileNotFoundError:
        raise CupsAdminError(N_("no C compiler (%(compiler)s) to build the backend: apt-get install gcc"),
                             compiler=compiler) from None
    if done.returncode != 0:
        raise CupsAdminError(N_("building the backend failed:\n%(detail)s"), detail=done.stderr.strip())
    return output


def install_backend(backend_dir: Path, name: str = "printrelease", source: str | None = None) -> Path:
    """Build (or copy `source` from drivers/) into CUPS's backend folder, root-owned and not
    group/other-writable as cupsd demands.

    Mode 0755 makes cupsd run it as its unprivileged user (lp), which is all it needs.
    """
    target = Path(backend_dir) / name
    temporary = target.with_name(f".{name}.new")
    if source is None:
        build_backend(temporary)
    else:
        shutil.copyfile(drivers_dir() / source, temporary)
    os.chmod(temporary, 0o755)
    if os.geteuid() == 0:
        os.chown(temporary, 0, 0)
    os.replace(temporary, target)
    return target


def lpadmin(server: str, *args: str) -> None:
    command = ["lpadmin"] + (["-h", server] if server else []) + list(args)
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise CupsAdminError(N_("%(command)s failed: %(detail)s"), command=" ".join(command[:4]),
                             detail=done.stderr.strip() or done.stdout.strip())


def _cups_command(server: str, program: str, *args: str) -> None:
    command = [program] + (["-h", server] if server else []) + list(args)
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise CupsAdminError(N_("%(command)s failed: %(detail)s"), command=program, detail=done.stderr.strip())


def capture_uri(server_url: str, token: str) -> str:
    hostport = server_url.split("://", 1)[-1].rstrip("/")
    return f"{BACKEND_SCHEME}://capture:{token}@{hostport}"


QUEUE_INFO = N_("Secure print: held until you tap your card at any printer")

# How users prove who they are when printing to the virtual queue: the CUPS operation policy (both
# exist in Debian's stock cupsd.conf) and what clients must send.
AUTH_MODES = {
    "none": ("default", "none"),
    "basic": ("authenticated", "username,password"),
    "negotiate": ("kerberos", "negotiate"),
}


# Capture queues behind the virtual queue by default. CUPS runs one backend per queue at a time, so
# with one queue a single long upload holds up every job behind it; four let others through (for
# small jobs the count hardly matters: BENCHMARKS.md measures 1, 2 and 4).
DEFAULT_MEMBERS = 4


def install_queue(
    server: str, name: str, device_uri: str, members: int = 1, location: str = "", info: str = "",
    auth: str = "none",
) -> list[str]:
    """Create (or update) the virtual queue; with members > 1 it is a class of that many capture queues.

    CUPS runs one backend at a time per queue; a class hands each job to its first idle member, so
    several members capture several jobs at once. With `auth` other than "none", CUPS takes the job
    owner from the authenticated user instead of the name the client claims.
    """
    if auth not in AUTH_MODES:
        raise CupsAdminError(N_("unknown authentication mode '%(mode)s'; choose one of %(modes)s"), mode=auth,
                             modes=", ".join(AUTH_MODES))
    policy, auth_info = AUTH_MODES[auth]
    ppd = str(drivers_dir() / "printrelease.ppd")
    info = info or bilingual(QUEUE_INFO)
    common = ["-v", device_uri, "-P", ppd, "-L", location, "-D", info,
              "-o", "printer-error-policy=stop-printer", "-o", "job-sheets-default=none,none"]
    guard = ["-o", f"printer-op-policy={policy}", "-o", f"auth-info-required={auth_info}"]
    if members <= 1:
        lpadmin(server, "-p", name, "-E", *common, *guard, "-o", "printer-is-shared=true")
        return [name]
    queues = []
    for index in range(1, members + 1):
        member = f"{name}-capture-{index}"
        lpadmin(server, "-p", member, "-E", *common, "-o", "printer-is-shared=false")
        lpadmin(server, "-p", member, "-c", name)
        queues.append(member)
    lpadmin(server, "-p", name, *guard)
    _cups_command(server, "cupsenable", name)
    _cups_command(server, "cupsaccept", name)
    return queues


def resume_capture_queues(print_server: PrintServer) -> list[str]:
    """Re-enable capture queues that the backend stopped while this server was unreachable."""
    resumed = []
    for queue in print_server.queues():
        if queue.device_uri.startswith(f"{BACKEND_SCHEME}:") and queue.state == PRINTER_STOPPED:
            print_server.enable(queue.name)
            resumed.append(queue.name)
    return resumed
