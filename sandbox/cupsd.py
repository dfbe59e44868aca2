"""A private cupsd with its own folders and port, and department printers that print into folders."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

from printrelease.cupsadmin import install_backend, lpadmin
from sandbox.goodcups import cupsd_program

SYSTEM_SERVERBIN = Path("/usr/lib/cups")

CUPSD_CONF = """\
LogLevel warn
MaxLogSize 0
Listen 127.0.0.1:{port}
WebInterface No
Browsing Off
DefaultAuthType Basic
DefaultEncryption Never
MaxJobs 0
<Location />
  Order allow,deny
  Allow all
</Location>
<Policy default>
  JobPrivateAccess all
  JobPrivateValues none
  SubscriptionPrivateAccess all
  SubscriptionPrivateValues none
  <Limit All>
    Order deny,allow
  </Limit>
</Policy>
# Debian's stock default policy, word for word: what a department's own CUPS server usually runs.
<Policy stock>
  JobPrivateAccess default
  JobPrivateValues default
  SubscriptionPrivateAccess default
  SubscriptionPrivateValues default
  <Limit Create-Job Print-Job Print-URI Validate-Job>
    Order deny,allow
  </Limit>
  <Limit Send-Document Send-URI Hold-Job Release-Job Restart-Job Purge-Jobs Set-Job-Attributes Create-Job-Subscription Renew-Subscription Cancel-Subscription Get-Notifications Reprocess-Job Cancel-Current-Job Suspend-Current-Job Resume-Job Cancel-My-Jobs Close-Job CUPS-Move-Job>
    Require user @OWNER @SYSTEM
    Order deny,allow
  </Limit>
  <Limit CUPS-Get-Document>
    AuthType Default
    Require user @OWNER @SYSTEM
    Order deny,allow
  </Limit>
  <Limit CUPS-Add-Modify-Printer CUPS-Delete-Printer CUPS-Add-Modify-Class CUPS-Delete-Class CUPS-Set-Default CUPS-Get-Devices>
    AuthType Default
    Require user @SYSTEM
    Order deny,allow
  </Limit>
  <Limit Pause-Printer Resume-Printer Enable-Printer Disable-Printer Pause-Printer-After-Current-Job Hold-New-Jobs Release-Held-New-Jobs Deactivate-Printer Activate-Printer Restart-Printer Shutdown-Printer Startup-Printer Promote-Job Schedule-Job-After Cancel-Jobs CUPS-Accept-Jobs CUPS-Reject-Jobs>
    AuthType Default
    Require user @SYSTEM
    Order deny,allow
  </Limit>
  <Limit Cancel-Job CUPS-Authenticate-Job>
    Require user @OWNER @SYSTEM
    Order deny,allow
  </Limit>
  <Limit All>
    Order deny,allow
  </Limit>
</Policy>
# As in Debian's stock cupsd.conf: submitting a job needs an authenticated user.
<Policy authenticated>
  <Limit Create-Job Print-Job Print-URI Validate-Job>
    AuthType Default
    Order deny,allow
  </Limit>
  <Limit All>
    Order deny,allow
  </Limit>
</Policy>
"""


def stock_cupsd_conf(conf: str) -> str:
    """The private cupsd.conf with Debian's stock policy as the default one and a local socket, as a
    stock Debian CUPS runs: admin operations need @SYSTEM, known only over the socket."""
    start, end = conf.index("<Policy default>"), conf.index("</Policy>") + len("</Policy>\n")
    stock = conf[conf.index("<Policy stock>"):]
    stock = stock[:stock.index("</Policy>") + len("</Policy>\n")]
    conf = conf[:start] + stock.replace("<Policy stock>", "<Policy default>") + conf[end:]
    return conf.replace("WebInterface No\n", "WebInterface No\nListen {socket}\n")


CUPS_FILES_CONF = """\
ServerRoot {root}/etc
ServerBin {root}/bin
RequestRoot {root}/spool
CacheDir {root}/cache
StateDir {root}/state
TempDir {root}/tmp
ErrorLog {root}/log/error_log
AccessLog {root}/log/access_log
PageLog {root}/log/page_log
FileDevice Yes
Sandboxing relaxed
"""


def stop_process(process: subprocess.Popen | None, grace: float = 10.0) -> None:
    """Terminate a child, and kill it if it has not gone after `grace` seconds."""
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, timeout: float = 20.0, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"process exited with {process.returncode} before listening on {port}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listening on 127.0.0.1:{port} after {timeout}s")


class PrivateCups:
    """cupsd -f with config, spool, logs and backends under `root`; it must run as root.

    `root` must be traversable by the lp user (cupsd runs backends and filters as lp).
    """

    def __init__(self, root: Path, port: int | None = None, stock: bool = False):
        self.root = Path(root).resolve()
        self.port = port or free_port()
        self.stock = stock  # Debian's stock policy by default, and a local socket
        self.process: subprocess.Popen | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def socket(self) -> Path:
        return self.root / "cups.sock"

    @property
    def admin_address(self) -> str:
        """Where an admin (root, or a member of lpadmin) is known: the socket under the stock policy."""
        return str(self.socket) if self.stock else self.address

    @property
    def backend_dir(self) -> Path:
        return self.root / "bin" / "backend"

    @property
    def error_log(self) -> Path:
        return self.root / "log" / "error_log"

    def prepare(self) -> None:
        for sub in ("etc", "bin/backend", "spool", "cache", "state", "tmp", "log"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        os.chmod(self.root, 0o755)
        os.chmod(self.root / "bin", 0o755)
        os.chmod(self.backend_dir, 0o755)
        # Filters run as lp and need a private, sticky scratch folder, as in a stock install.
        shutil.chown(self.root / "tmp", "root", "lp")
        os.chmod(self.root / "tmp", 0o1770)
        conf = CUPSD_CONF.format(port=self.port)
        files = CUPS_FILES_CONF.format(root=self.root)
        if self.stock:
            conf = stock_cupsd_conf(conf).format(socket=self.socket)
            files += "SystemGroup root lpadmin\n"  # as Debian's cups-files.conf
        (self.root / "etc" / "cupsd.conf").write_text(conf)
        (self.root / "etc" / "cups-files.conf").write_text(files)
        for sub in ("daemon", "filter", "driver", "notifier", "cgi-bin", "monitor"):
            link = self.root / "bin" / sub
            if not link.exists() and (SYSTEM_SERVERBIN / sub).exists():
                link.symlink_to(SYSTEM_SERVERBIN / sub)
        for backend in (SYSTEM_SERVERBIN / "backend").iterdir():
            link = self.backend_dir / backend.name
            if not link.exists() and not link.is_symlink():
                link.symlink_to(backend)
        install_backend(self.backend_dir)
        install_backend(self.backend_dir, "printrelease-folder", "printrelease-folder")

    def start(self) -> "PrivateCups":
        if os.geteuid() != 0:
            raise RuntimeError("the private cupsd must be started as root (it runs backends as lp)")
        self.prepare()
        etc = self.root / "etc"
        self.program = cupsd_program()
        self.process = subprocess.Popen(
            [self.program, "-f", "-c", str(etc / "cupsd.conf"), "-s", str(etc / "cups-files.conf")],
            stdout=subprocess.DEVNULL,
            stderr=open(self.root / "log" / "cupsd.stderr", "ab"),
        )
        wait_for_port(self.port, process=self.process)
        return self

    def stop(self) -> None:
        stop_process(self.process)
        self.process = None

    def add_folder_printer(self, name: str, folder: Path, location: str = "") -> Path:
        """A department printer whose output lands in `folder` (raw queue: bytes arrive unchanged)."""
        folder = Path(folder).resolve()
        folder.mkdir(parents=True, exist_ok=True)
        # cupsd runs backends as lp, which must be able to write the output there.
        shutil.chown(folder, "lp", "lp")
        lpadmin(self.admin_address, "-p", name, "-E", "-v", f"printrelease-folder:{folder}", "-L", location,
                "-o", "printer-error-policy=stop-printer")
        return folder

    def add_discard_printer(self, name: str) -> None:
        """A queue whose backend throws the data away: the baseline for capture benchmarks."""
        script = self.backend_dir / "discard"
        if not script.exists():
            script.write_text('#!/bin/sh\n[ $# -eq 0 ] && exit 0\n[ $# -ge 6 ] && exit 0\ncat > /dev/null\n')
            os.chmod(script, 0o755)
        lpadmin(self.address, "-p", name, "-E", "-v", "discard:/")

    def __enter__(self) -> "PrivateCups":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
