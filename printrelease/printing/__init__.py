"""The small interface the core uses to talk to a print server; CUPS implements it in `cups.py`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Protocol

from printrelease.errors import PrintReleaseError
from printrelease.i18n import N_

# IPP job-state values (RFC 8011 5.3.7)
PENDING, HELD, PROCESSING, STOPPED, CANCELED, ABORTED, COMPLETED = 3, 4, 5, 6, 7, 8, 9
# IPP printer-state values
PRINTER_IDLE, PRINTER_PROCESSING, PRINTER_STOPPED = 3, 4, 5
NAME_OCTETS = 255  # an IPP name's limit (RFC 8011 5.1.3): CUPS names a longer job-name "Untitled"


def job_name(title: str) -> str:
    """The title as CUPS keeps it as a job-name: at most 255 UTF-8 octets, cut on a character boundary."""
    return title.encode("utf-8")[:NAME_OCTETS].decode("utf-8", "ignore")


class PrintServerUnavailable(PrintReleaseError):
    """The print server could not be reached or refused the request."""

    code = "print_server_unavailable"
    template = N_("CUPS at %(address)s: %(detail)s")


@dataclass(frozen=True)
class Marker:
    """A toner, ink or other supply, as IPP reports it (level in percent; -1 unknown, -2 unavailable)."""

    name: str
    type: str = ""
    level: int = -1


@dataclass(frozen=True)
class QueueInfo:
    name: str
    location: str = ""
    device_uri: str = ""
    state: int = PRINTER_IDLE
    state_message: str = ""
    accepting: bool = True
    sides_supported: tuple[str, ...] = ("one-sided",)
    color_modes_supported: tuple[str, ...] = ("monochrome",)
    reasons: tuple[str, ...] = ()  # printer-state-reasons keywords ("none" left out)
    markers: tuple[Marker, ...] = ()
    members: tuple[str, ...] = ()  # a CUPS class's member queues
    is_class: bool = False
    shared: bool = False
    op_policy: str = ""  # the CUPS operation policy that guards it

    @property
    def supports_duplex(self) -> bool:
        return any(s.startswith("two-sided") for s in self.sides_supported)

    @property
    def supports_color(self) -> bool:
        return "color" in self.color_modes_supported


@dataclass(frozen=True)
class DeviceStatus:
    """What a printer that speaks IPP itself says of its state (a CUPS queue only learns it during a job)."""

    state: int = PRINTER_IDLE
    reasons: tuple[str, ...] = ()
    message: str = ""
    markers: tuple[Marker, ...] = ()


@dataclass(frozen=True)
class RemoteJob:
    id: int
    state: int
    name: str = ""
    owner: str = ""
    queue: str = ""
    reasons: tuple[str, ...] = ()
    message: str = ""
    impressions_completed: int | None = None
    uuid: str = ""  # job-uuid, "urn:uuid:..."; a release names its copy with its attempt (release/lease.py)

    @property
    def is_finished(self) -> bool:
        return self.state >= CANCELED


class PrintServer(Protocol):
    """What the core needs of a print server: queues, and jobs submitted on hold then released."""

    address: str

    def queues(self) -> list[QueueInfo]: ...

    def queue(self, name: str) -> QueueInfo: ...

    def submit_held(self, queue: str, path: Path, title: str, owner: str, options: dict[str, str],
                    pace: Callable[[], None] | None = None) -> int:
        """Submit a document that CUPS keeps on hold until `release` is called; returns the job id.
        With `pace`, the document goes in steps, and `pace()` is called after each (it may wait)."""

    def release(self, job_id: int, owner: str) -> None: ...

    def job(self, job_id: int) -> RemoteJob | None: ...

    def jobs(self, queue: str, owner: str | None = None) -> list[RemoteJob]:
        """Unfinished jobs on a queue, optionally only one owner's."""

    def cancel(self, job_id: int, owner: str) -> None: ...

    def enable(self, queue: str) -> None: ...

    def device_status(self, device_uri: str, timeout: float) -> DeviceStatus | None:
        """The device's own status for an ipp:// or ipps:// device; None for other devices. Raises
        PrintServerUnavailable if the device does not answer within `timeout` seconds."""
