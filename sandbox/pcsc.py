"""A pcscd with vsmartcard's virtual reader, and a virtual contactless card that plays a badge on it."""

from __future__ import annotations

import socket
import struct
import subprocess
import threading
import time
from pathlib import Path

from sandbox.cupsd import stop_process, wait_for_port

VPCD_DRIVER = Path("/usr/lib/pcsc/drivers/serial/libifdvpcd.so")
PCSCD_SOCKET = Path("/run/pcscd/pcscd.comm")
DEFAULT_VPCD_PORT = 0x8C7B  # vpcd's own default; it also listens on the next port (second reader)
MIFARE_CLASSIC_1K_ATR = bytes.fromhex("3B8F8001804F0CA000000306030001000000006A")
READER_NAME = "Virtual PCD 00 00"


def _listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.3).close()
        return True
    except OSError:
        return False


def _pcscd_running() -> bool:
    """Whether a live pcscd runs; a killed one that its parent has not reaped yet (a zombie) does not count."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text()
        except OSError:
            continue  # the process ended while we looked
        name, _, rest = fields.partition(") ")
        if name.endswith("(pcscd") and not rest.startswith(("Z", "X")):
            return True
    return False


def _wait_gone(seconds: float) -> bool:
    """True once no pcscd runs (one that is shutting down closes its reader port before it exits)."""
    deadline = time.monotonic() + seconds
    while _pcscd_running():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


class VirtualReaderDaemon:
    """Makes sure a pcscd with a vpcd reader on `port` runs; starts one (and later stops it) if needed.

    pcscd's socket is machine-wide (/run/pcscd/pcscd.comm), so there can be only one: a pcscd that is
    already running is reused if its virtual reader listens on `port`, and refused otherwise.
    """

    def __init__(self, config_dir: Path, port: int = DEFAULT_VPCD_PORT):
        self.config_dir, self.port = Path(config_dir), port
        self.process: subprocess.Popen | None = None

    def ensure(self) -> "VirtualReaderDaemon":
        # vpcd only accepts a card connection once pcscd has initialised it: a listening port means ready.
        if _listening(self.port):
            return self
        if _pcscd_running() and not _wait_gone(5):
            raise RuntimeError(
                f"a pcscd is running without a virtual reader on port {self.port}; stop it (pkill pcscd) "
                "so that one with the vsmartcard reader can start")
        if not VPCD_DRIVER.exists():
            raise RuntimeError(f"{VPCD_DRIVER} is missing: install the Debian package vsmartcard-vpcd")
        # pcscd reads every file in its config folder as a reader entry: keep only that one there.
        readers = self.config_dir / "reader.conf.d"
        readers.mkdir(parents=True, exist_ok=True)
        (readers / "vpcd").write_text(
            f'FRIENDLYNAME "Virtual PCD"\nDEVICENAME /dev/null:0x{self.port:04X}\n'
            f"LIBPATH {VPCD_DRIVER}\nCHANNELID 0x{self.port:04X}\n")
        PCSCD_SOCKET.parent.mkdir(parents=True, exist_ok=True)
        log = open(self.config_dir / "pcscd.log", "ab")
        self.process = subprocess.Popen(["pcscd", "-f", "-c", str(readers)], stdout=log, stderr=log)
        wait_for_port(self.port, timeout=20, process=self.process)
        return self

    def stop_any(self) -> None:
        """Stop whatever pcscd runs, ours or not (to test a reader vanishing and coming back)."""
        self.stop()
        subprocess.run(["pkill", "-x", "pcscd"], capture_output=True)
        # A pcscd busy with a reader can take longer than its TERM grace: one still alive here would
        # make the next ensure() refuse to start another, so it is killed outright.
        if not _wait_gone(10):
            subprocess.run(["pkill", "-KILL", "-x", "pcscd"], capture_output=True)
            _wait_gone(5)
        deadline = time.monotonic() + 5
        while _listening(self.port) and time.monotonic() < deadline:
            time.sleep(0.1)

    def stop(self) -> None:
        stop_process(self.process)
        self.process = None


class VirtualCard:
    """A contactless card on vpcd: connecting is putting it on the reader, closing is taking it away.

    It answers GET DATA (FF CA 00 00 00) with its UID, and the ACR122U LED/buzzer command with 90 00
    when `buzzer` is true (as such readers do) or 6A 81 otherwise; every APDU it sees is kept in `apdus`.
    """

    def __init__(self, uid: str | bytes, port: int = DEFAULT_VPCD_PORT, host: str = "127.0.0.1",
                 buzzer: bool = True, atr: bytes = MIFARE_CLASSIC_1K_ATR):
        self.uid = bytes.fromhex(uid) if isinstance(uid, str) else uid
        self.port, self.host, self.buzzer, self.atr = port, host, buzzer, atr
        self.apdus: list[bytes] = []
        self.inserted_at: float | None = None
        self._socket: socket.socket | None = None
        self._thread: threading.Thread | None = None

    def insert(self) -> "VirtualCard":
        self._socket = socket.create_connection((self.host, self.port), timeout=5)
        self._socket.settimeout(None)
        self.inserted_at = time.monotonic()
        self._thread = threading.Thread(target=self._serve, name="virtual-card", daemon=True)
        self._thread.start()
        return self

    def remove(self) -> None:
        if self._socket is not None:
            try:
                self._socket.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self._socket.close()
            self._socket = None
        if self._thread is not None:
            self._thread.join(5)

    def __enter__(self) -> "VirtualCard":
        return self.insert()

    def __exit__(self, *exc) -> None:
        self.remove()

    def wait_for_apdu(self, prefix: bytes, timeout: float = 10.0) -> bytes:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for apdu in list(self.apdus):
                if apdu.startswith(prefix):
                    return apdu
            time.sleep(0.02)
        raise TimeoutError(f"no APDU starting {prefix.hex()} within {timeout}s (saw {[a.hex() for a in self.apdus]})")

    def _serve(self) -> None:
        sock = self._socket
        try:
            while True:
                header = self._read(sock, 2)
                if header is None:
                    return
                payload = self._read(sock, struct.unpack(">H", header)[0])
                if payload is None:
                    return
                reply = self._answer(payload)
                if reply is not None:
                    sock.sendall(struct.pack(">H", len(reply)) + reply)
        except OSError:
            return

    @staticmethod
    def _read(sock, count: int) -> bytes | None:
        data = b""
        while len(data) < count:
            chunk = sock.recv(count - len(data))
            if not chunk:
                return None
            data += chunk
        return data

    def _answer(self, payload: bytes) -> bytes | None:
        if len(payload) == 1:
            # Control messages: 0 power off, 1 power on, 2 reset (no reply), 4 get ATR.
            return self.atr if payload[0] == 0x04 else None
        self.apdus.append(payload)
        if payload[:2] == b"\xff\xca":
            return self.uid + b"\x90\x00"
        if payload[:3] == b"\xff\x00\x40":
            return b"\x90\x00" if self.buzzer else b"\x6a\x81"
        return b"\x6d\x00"  # instruction not supported
