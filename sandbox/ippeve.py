"""A real IPP Everywhere printer (the CUPS project's ippeveprinter) for tests of option handling.

ippeveprinter will not start without DNS-SD, so this also makes sure a system D-Bus and an avahi-daemon
run (and stops them again if it started them); avahi is confined to loopback, so it announces nothing
to any network.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

from sandbox.cupsd import free_port, stop_process, wait_for_port

DBUS_SOCKET = Path("/run/dbus/system_bus_socket")
DBUS_PID = Path("/run/dbus/pid")
AVAHI_PID = Path("/run/avahi-daemon/pid")
AVAHI_CONF = """\
[server]
host-name=printrelease-sandbox
use-ipv4=yes
use-ipv6=no
allow-interfaces=lo
enable-dbus=yes
[wide-area]
enable-wide-area=no
[publish]
publish-addresses=no
publish-hinfo=no
publish-workstation=no
"""


def _running(name: str) -> bool:
    """Whether a live process (not a zombie) has this command name."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        command, _, rest = text.partition("(")[2].rpartition(")")
        if command == name and rest.split()[0] != "Z":
            return True
    return False


def ensure_dns_sd(folder: Path) -> list[int]:
    """Start a system D-Bus and a loopback-only avahi-daemon unless they run already; the pids started."""
    folder.mkdir(parents=True, exist_ok=True)
    started = []
    if not DBUS_SOCKET.exists() or not _running("dbus-daemon"):
        DBUS_SOCKET.parent.mkdir(parents=True, exist_ok=True)
        DBUS_SOCKET.unlink(missing_ok=True)
        DBUS_PID.unlink(missing_ok=True)  # left by a bus that died: dbus-daemon refuses to start over it
        done = subprocess.run(["dbus-daemon", "--system", "--fork", "--print-pid"], check=True,
                              capture_output=True, text=True)
        started.append(int(done.stdout.split()[0]))
    if not _running("avahi-daemon"):
        started.append(_start_avahi(folder))
    return started


def _start_avahi(folder: Path) -> int:
    # Foreground with stderr to a file rather than -D: a daemonized avahi logs only to syslog, which a
    # bare machine lacks, so a failed start would say nothing. No chroot, rlimits or privilege drop:
    # containers may refuse them, and this avahi serves only loopback.
    AVAHI_PID.unlink(missing_ok=True)
    conf, log_path = folder / "avahi-daemon.conf", folder / "avahi-daemon.log"
    conf.write_text(AVAHI_CONF)
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            ["avahi-daemon", "-f", str(conf), "--no-chroot", "--no-drop-root", "--no-rlimits"],
            stdout=log, stderr=log, stdin=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if b"Server startup complete" in log_path.read_bytes():
            return process.pid
        if process.poll() is not None:
            break
        time.sleep(0.05)
    raise RuntimeError(f"avahi-daemon did not start (exit {process.poll()}):\n"
                       + log_path.read_text(errors="replace"))


def _stop_pids(pids: list[int]) -> None:
    for pid in reversed(pids):
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            continue
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and _alive(pid):
            time.sleep(0.05)


def _alive(pid: int) -> bool:
    try:
        os.waitpid(pid, os.WNOHANG)  # reap it if it is our child
    except ChildProcessError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


class IppEverywherePrinter:
    """ippeveprinter keeping every document it prints in `spool`; simplex and monochrome unless told."""

    def __init__(self, folder: Path, name: str = "simplex-printer", duplex: bool = False):
        self.folder, self.name, self.duplex = Path(folder), name, duplex
        self.port = free_port()
        self.spool = self.folder / "spool"
        self.process: subprocess.Popen | None = None
        self.helpers: list[int] = []  # D-Bus and avahi, if this printer had to start them

    @property
    def uri(self) -> str:
        return f"ipp://localhost:{self.port}/ipp/print"

    def start(self) -> "IppEverywherePrinter":
        self.helpers = ensure_dns_sd(self.folder)
        self.spool.mkdir(parents=True, exist_ok=True)
        args = ["ippeveprinter", "-p", str(self.port), "-d", str(self.spool), "-k",
                "-f", "application/pdf,image/pwg-raster,image/urf", "-n", "localhost"]
        if self.duplex:
            args.append("-2")
        log = open(self.folder / "ippeveprinter.log", "ab")
        self.process = subprocess.Popen(args + [self.name], stdout=log, stderr=log)
        wait_for_port(self.port, process=self.process)
        return self

    # ippeveprinter's own web forms (on by default) set its trays and supplies; each form replaces its
    # whole group, so every tray is named. Reasons then read "media-empty-report" while idle.
    TRAYS = "size1=iso_a4_210x297mm&type1=stationery&size3=na_number-10_4.125x9.5in&type3=envelope&level3=-2"

    def load_paper(self, sheets: int) -> None:
        """Put `sheets` sheets in the main tray: 0 makes it report media-empty, 1 to 24 media-low."""
        self._form(f"media?{self.TRAYS}&level1={sheets}")

    def set_toner(self, percent: int) -> None:
        """Black toner at `percent`: under 10 it reports toner-low, 0 toner-empty."""
        self._form(f"supplies?supply0=25&supply1={percent}")

    def _form(self, path: str) -> None:
        with urllib.request.urlopen(f"http://localhost:{self.port}/{path}", timeout=10) as response:
            response.read()

    def documents(self) -> list[Path]:
        return sorted(p for p in self.spool.rglob("*") if p.is_file())

    def stop(self) -> None:
        """Stop the printer, and D-Bus and avahi if it started them."""
        stop_process(self.process)
        _stop_pids(self.helpers)
        self.helpers = []
