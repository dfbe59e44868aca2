"""PrintServer over pycups: one short-lived connection per call, the owner's name set per thread."""

from __future__ import annotations

import logging
import socket
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit

import cups

from printrelease.printing import DeviceStatus, Marker, PrintServerUnavailable, QueueInfo, RemoteJob, job_name

log = logging.getLogger(__name__)

_JOB_ATTRIBUTES = [
    "job-id",
    "job-state",
    "job-name",
    "job-originating-user-name",
    "job-printer-uri",
    "job-state-reasons",
    "job-printer-state-message",
    "job-impressions-completed",
    "job-uuid",
]
_QUEUE_ATTRIBUTES = [
    "printer-name",
    "printer-location",
    "device-uri",
    "printer-state",
    "printer-state-message",
    "printer-state-reasons",
    "printer-is-accepting-jobs",
    "sides-supported",
    "print-color-mode-supported",
    "color-supported",
    "marker-names",
    "marker-types",
    "marker-levels",
    "printer-type",
    "member-names",
    "printer-is-shared",
    "printer-op-policy",
]
_DEVICE_ATTRIBUTES = ["printer-state", "printer-state-reasons", "printer-state-message", "marker-names",
                      "marker-types", "marker-levels"]
CONNECT_TIMEOUT = 3.0  # seconds; libcups itself waits up to 30 s for a server that does not answer
UPLOAD_CHUNK = 256 * 1024  # a paced upload's step: cupsd takes about a millisecond for one


def _as_tuple(value) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, (list, tuple)):
        return tuple(str(v) for v in value)
    return (str(value),)


def split_address(address: str) -> tuple[str, int]:
    if address.startswith("/"):
        return address, 0
    host, _, port = address.rpartition(":")
    if not host:
        return address, 631
    return host.strip("[]"), int(port)


def _probe(host: str, port: int, timeout: float) -> None:
    """Fail fast on a server that is down or unreachable, before libcups would wait its 30 seconds."""
    try:
        socket.create_connection((host, port), timeout=timeout).close()
    except OSError as error:
        raise PrintServerUnavailable(address=f"{host}:{port}", detail=f"not reachable ({error})") from error


class CupsPrintServer:
    """A CUPS scheduler at `address` ("host:port", a socket path, or "" for the client default).

    libcups keeps the user name, server and port that a request uses in thread-local globals, and pycups
    lets go of the GIL while a request runs: each thread sets its own and keeps its own connection, so
    one long upload holds up nobody else (no process-wide lock).
    """

    def __init__(self, address: str = "", connect_timeout: float = CONNECT_TIMEOUT):
        self.address = address or f"{cups.getServer()}:{cups.getPort()}"
        self.connect_timeout = connect_timeout
        self._local = threading.local()

    @contextmanager
    def _connection(self, user: str | None = None):
        host, port = split_address(self.address)
        previous_user = cups.getUser()
        cups.setServer(host)
        if port:
            cups.setPort(port)
        if user:
            cups.setUser(user)
        try:
            connection = getattr(self._local, "connection", None)
            if connection is None:
                if port:
                    _probe(host, port, self.connect_timeout)
                connection = cups.Connection(host=host, port=port) if port else cups.Connection(host=host)
                self._local.connection = connection
            yield connection
        except (cups.IPPError, cups.HTTPError, RuntimeError) as error:
            if not isinstance(error, cups.IPPError):
                self._local.connection = None  # broken: the next call connects afresh
            raise PrintServerUnavailable(address=self.address, detail=_describe(error)) from error
        finally:
            cups.setUser(previous_user)

    def queues(self) -> list[QueueInfo]:
        with self._connection() as connection:
            names = list(connection.getPrinters())
            return [self._queue(connection, name) for name in names]

    def queue(self, name: str) -> QueueInfo:
        with self._connection() as connection:
            return self._queue(connection, name)

    def _queue(self, connection, name: str) -> QueueInfo:
        attrs = connection.getPrinterAttributes(name, requested_attributes=_QUEUE_ATTRIBUTES)
        colour_modes = _as_tuple(attrs.get("print-color-mode-supported"))
        if not colour_modes:
            colour_modes = ("monochrome", "color") if attrs.get("color-supported") else ("monochrome",)
        return QueueInfo(
            name=name,
            location=str(attrs.get("printer-location") or ""),
            device_uri=str(attrs.get("device-uri") or ""),
            state=int(attrs.get("printer-state", 3)),
            state_message=str(attrs.get("printer-state-message") or ""),
            accepting=bool(attrs.get("printer-is-accepting-jobs", True)),
            sides_supported=_as_tuple(attrs.get("sides-supported")) or ("one-sided",),
            color_modes_supported=colour_modes,
            reasons=_reasons(attrs),
            markers=_markers(attrs),
            members=_as_tuple(attrs.get("member-names")),
            is_class=bool(int(attrs.get("printer-type", 0)) & cups.CUPS_PRINTER_CLASS),
            shared=bool(attrs.get("printer-is-shared", False)),
            op_policy=str(attrs.get("printer-op-policy") or ""),
        )

    def device_status(self, device_uri: str, timeout: float) -> DeviceStatus | None:
        parts = urlsplit(device_uri)
        if parts.scheme not in ("ipp", "ipps") or not parts.hostname:
            return None
        host, port = parts.hostname, parts.port or 631
        _probe(host, port, timeout)
        cups.setServer(host)
        cups.setPort(port)
        encryption = cups.HTTP_ENCRYPT_ALWAYS if parts.scheme == "ipps" else cups.HTTP_ENCRYPT_IF_REQUESTED
        try:
            attrs = cups.Connection(host=host, port=port, encryption=encryption).getPrinterAttributes(
                uri=device_uri, requested_attributes=_DEVICE_ATTRIBUTES)
        except (cups.IPPError, cups.HTTPError, RuntimeError) as error:
            raise PrintServerUnavailable(address=f"{host}:{port}", detail=_describe(error)) from error
        return DeviceStatus(state=int(attrs.get("printer-state", 3)), reasons=_reasons(attrs),
                            message=str(attrs.get("printer-state-message") or ""), markers=_markers(attrs))

    def submit_held(self, queue: str, path: Path, title: str, owner: str, options: dict[str, str],
                    pace: Callable[[], None] | None = None) -> int:
        options = {**options, "job-hold-until": "indefinite"}
        with self._connection(owner) as connection:
            if pace is None:
                return connection.printFile(queue, str(path), job_name(title), options)
            return self._upload_paced(connection, queue, Path(path), job_name(title), owner, options, pace)

    def _upload_paced(self, connection, queue: str, path: Path, name: str, owner: str, options: dict[str, str],
                      pace: Callable[[], None]) -> int:
        """What printFile does (Create-Job, then Send-Document), with `pace()` between chunks."""
        job_id = connection.createJob(queue, name, options)
        try:
            connection.startDocument(queue, job_id, path.name, options.get("document-format", cups.CUPS_FORMAT_AUTO), 1)
            with open(path, "rb") as document:
                while chunk := document.read(UPLOAD_CHUNK):
                    connection.writeRequestData(chunk, len(chunk))
                    pace()
            connection.finishDocument(queue)
        except BaseException:
            # Stopped inside a request: the connection cannot carry another. The job CUPS made for the
            # copy goes, as printFile's does when its upload fails: the caller may no longer own the
            # release (recovery took it over meanwhile), and nobody else would ever cancel this copy.
            self._local.connection = None
            try:
                self.cancel(job_id, owner)  # on a connection of its own
            except Exception as error:  # noqa: BLE001 - the upload's own error is the one to raise
                log.warning("could not cancel CUPS job %s after its upload failed: %s", job_id, error)
            raise
        return job_id

    def release(self, job_id: int, owner: str) -> None:
        with self._connection(owner) as connection:
            connection.setJobHoldUntil(job_id, "no-hold")

    def job(self, job_id: int) -> RemoteJob | None:
        with self._connection() as connection:
            try:
                attrs = connection.getJobAttributes(job_id, requested_attributes=_JOB_ATTRIBUTES)
            except cups.IPPError as error:
                if error.args and error.args[0] == cups.IPP_NOT_FOUND:
                    return None
                raise
        return _remote_job(job_id, attrs)

    def jobs(self, queue: str, owner: str | None = None) -> list[RemoteJob]:
        # Asked as the owner: under CUPS's stock policy only the owner (or an admin) sees a job's name and
        # owner, and printrelease's own account is neither.
        with self._connection(owner) as connection:
            found = connection.getJobs(which_jobs="not-completed", requested_attributes=_JOB_ATTRIBUTES)
        jobs = [_remote_job(job_id, attrs) for job_id, attrs in found.items()]
        return [j for j in jobs if j.queue == queue and (owner is None or j.owner == owner)]

    def cancel(self, job_id: int, owner: str) -> None:
        with self._connection(owner) as connection:
            try:
                connection.cancelJob(job_id)
            except cups.IPPError as error:
                # Already finished: cancelling is then a no-op, which is what the caller wants.
                if error.args and error.args[0] not in (cups.IPP_NOT_POSSIBLE, cups.IPP_NOT_FOUND):
                    raise

    def enable(self, queue: str) -> None:
        with self._connection() as connection:
            connection.enablePrinter(queue)
            connection.acceptJobs(queue)


def _reasons(attrs: dict) -> tuple[str, ...]:
    return tuple(r for r in _as_tuple(attrs.get("printer-state-reasons")) if r != "none")


def _markers(attrs: dict) -> tuple[Marker, ...]:
    names, types = _as_tuple(attrs.get("marker-names")), _as_tuple(attrs.get("marker-types"))
    levels = attrs.get("marker-levels")
    levels = levels if isinstance(levels, (list, tuple)) else [levels] if levels is not None else []
    return tuple(Marker(name, types[i] if i < len(types) else "", int(levels[i]) if i < len(levels) else -1)
                 for i, name in enumerate(names))


def _remote_job(job_id: int, attrs: dict) -> RemoteJob:
    uri = str(attrs.get("job-printer-uri") or "")
    return RemoteJob(
        id=job_id,
        state=int(attrs.get("job-state", 0)),
        name=str(attrs.get("job-name") or ""),
        owner=str(attrs.get("job-originating-user-name") or ""),
        queue=uri.rsplit("/", 1)[-1],
        reasons=_as_tuple(attrs.get("job-state-reasons")),
        message=str(attrs.get("job-printer-state-message") or ""),
        impressions_completed=attrs.get("job-impressions-completed"),
        uuid=str(attrs.get("job-uuid") or ""),
    )


def _describe(error: Exception) -> str:
    if isinstance(error, cups.IPPError) and len(error.args) > 1:
        return str(error.args[1])
    if isinstance(error, cups.HTTPError):
        return f"HTTP error {error.args[0] if error.args else ''}".strip()
    return str(error) or type(error).__name__
