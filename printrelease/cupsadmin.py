"""Installing the capture backend and the virtual queue into a CUPS server, and resuming it after outages."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

from printrelease.errors import PrintReleaseError
from printrelease.i18n import N_, bilingual
from printrelease.events import event
from printrelease.printing import PRINTER_STOPPED, PrintServer, PrintServerUnavailable

BACKEND_SCHEME = "printrelease"
log = logging.getLogger(__name__)


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
    try:
        if not os.access(backend_dir, os.W_OK):
            raise PermissionError(backend_dir)
        if source is None:
            build_backend(temporary)
        else:
            shutil.copyfile(drivers_dir() / source, temporary)
        os.chmod(temporary, 0o755)
        if os.geteuid() == 0:
            os.chown(temporary, 0, 0)
        os.replace(temporary, target)
    except PermissionError:
        temporary.unlink(missing_ok=True)
        raise CupsAdminError(N_("cannot install the backend into %(folder)s: run this as root"),
                             folder=str(backend_dir)) from None
    return target


def _run(program: str, server: str, *args: str) -> str:
    """Run a CUPS admin command; its warnings (printed even on success) are logged, never dropped."""
    command = [program] + (["-h", server] if server else []) + list(args)
    done = subprocess.run(command, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if done.returncode != 0:
        raise CupsAdminError(N_("%(command)s failed: %(detail)s"), command=" ".join(command[:4]),
                             detail=done.stderr.strip() or done.stdout.strip())
    for line in done.stderr.splitlines():
        if line.strip() and line not in _WARNED:
            _WARNED.add(line)  # lpadmin repeats the same deprecation note for every queue
            log.warning("%s", line.strip())
    return done.stdout


_WARNED: set[str] = set()


def lpadmin(server: str, *args: str) -> None:
    _run("lpadmin", server, *args)


def _cups_command(server: str, program: str, *args: str) -> None:
    _run(program, server, *args)


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
# Seconds CUPS lets one job of a capture queue take, filters and upload together (job-cancel-after; the
# clock starts when the job starts, not while it waits out an outage). CUPS's own limit is 3 hours: a
# PostScript file of two lines (`{} loop`) would hold a capture queue that long in Ghostscript, and four
# of them every capture queue. Ten minutes is ample for any document worth printing.
CAPTURE_TIME_LIMIT = 600


def auth_mode(policy: str) -> str | None:
    """The authentication mode a queue's operation policy stands for (None: a policy of the site's own)."""
    return next((mode for mode, (name, _info) in AUTH_MODES.items() if name == policy), None)


def install_queue(
    server: str, name: str, device_uri: str | None, members: int = 1, location: str = "", info: str = "",
    auth: str = "none", share: bool = True, time_limit: int = CAPTURE_TIME_LIMIT,
) -> list[str]:
    """Create (or update) the virtual queue; with members > 1 it is a class of that many capture queues.

    CUPS runs one backend at a time per queue; a class hands each job to its first idle member, so
    several members capture several jobs at once. With `auth` other than "none", CUPS takes the job
    owner from the authenticated user instead of the name the client claims; the members carry the
    same operation policy as the class, or anyone could print to a member directly under any name.
    `device_uri` None keeps each queue's device URI (and so its capture credential) as it is. Members
    are never shared; the virtual queue is, with `share`, so that desks can print to it. A job that
    takes longer than `time_limit` seconds is cancelled by CUPS.
    """
    if auth not in AUTH_MODES:
        raise CupsAdminError(N_("unknown authentication mode '%(mode)s'; choose one of %(modes)s"), mode=auth,
                             modes=", ".join(AUTH_MODES))
    policy, auth_info = AUTH_MODES[auth]
    ppd = str(drivers_dir() / "printrelease.ppd")
    info = info or bilingual(QUEUE_INFO)
    common = (["-v", device_uri] if device_uri else []) + [
        "-P", ppd, "-L", location, "-D", info, "-o", "printer-error-policy=stop-printer",
        "-o", "job-sheets-default=none,none", "-o", f"printer-op-policy={policy}",
        "-o", f"job-cancel-after-default={time_limit}"]
    guard = ["-o", f"printer-op-policy={policy}", "-o", f"auth-info-required={auth_info}",
             "-o", f"job-cancel-after-default={time_limit}"]
    shared = ["-o", f"printer-is-shared={'true' if share else 'false'}"]
    if members <= 1:
        lpadmin(server, "-p", name, "-E", *common, *guard, *shared)
        return [name]
    queues = []
    for index in range(1, members + 1):
        member = f"{name}-capture-{index}"
        lpadmin(server, "-p", member, "-E", *common, "-o", "printer-is-shared=false")
        lpadmin(server, "-p", member, "-c", name)
        queues.append(member)
    lpadmin(server, "-p", name, *guard, *shared)
    _cups_command(server, "cupsenable", name)
    _cups_command(server, "cupsaccept", name)
    return queues


def remove_queue(server: str, name: str) -> None:
    lpadmin(server, "-x", name)


def unshare(server: str, queue: str) -> None:
    """Keep a department queue from being printed to directly from the network (around the release)."""
    lpadmin(server, "-p", queue, "-o", "printer-is-shared=false")


def server_shares_printers(server: str) -> bool | None:
    """Whether the CUPS server publishes shared queues to the network (cupsctl's _share_printers);
    None when that cannot be read."""
    try:
        settings = _run("cupsctl", server)
    except CupsAdminError:
        return None
    return "_share_printers=1" in settings.split()


def resume_capture_queues(print_server: PrintServer) -> list[str]:
    """Re-enable capture queues that the backend stopped while this server was unreachable.

    CUPS allows that only to its admins (@SYSTEM in the stock policy): the service user in group
    lpadmin, over the local socket, where CUPS knows the caller from the socket's peer credentials.
    """
    resumed, refused = [], []
    for queue in print_server.queues():
        if queue.device_uri.startswith(f"{BACKEND_SCHEME}:") and queue.state == PRINTER_STOPPED:
            event("queue_stopped", queue=queue.name, reason=queue.state_message or None)
            try:
                print_server.enable(queue.name)
            except PrintServerUnavailable as error:
                refused.append(f"{queue.name} ({error})")
                continue
            event("queue_resumed", queue=queue.name)
            resumed.append(queue.name)
    if refused:
        raise CupsAdminError(N_("cannot resume the capture queue(s) %(queues)s: the service user must be in "
                                "group lpadmin and reach CUPS through its local socket "
                                "(PRINTRELEASE_CUPS_SERVER=/run/cups/cups.sock); see printrelease doctor"),
                             queues=", ".join(refused))
    return resumed
