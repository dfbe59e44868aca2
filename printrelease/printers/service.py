"""Finding printers and importing them from CUPS servers' queues.

A printer is one CUPS queue on one CUPS server; its name is what stations and people use. When the
same queue turns up at another address (a new print server, or the socket instead of localhost:631),
the printer moves there: its stations and history stay with it.
"""

from __future__ import annotations

from typing import Callable

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from printrelease.cupsadmin import CupsAdminError, unshare
from printrelease.db import utcnow
from printrelease.i18n import N_, Message
from printrelease.printers.errors import PrinterConflict, PrinterDisabled, PrinterInUse, UnknownPrinter
from printrelease.printers.models import Printer
from printrelease.printing import PrintServer, QueueInfo

CAPTURE_SCHEME = "printrelease:"
IMPORT_COLUMNS = ("name", "queue", "cups_server", "location")
MAX_LOCATION = 255


class Note(Message):
    """What a sync or an add did to one queue besides adding or refreshing it, and why: `kind` is
    "skipped", "moved" or "renamed"; worded in the reader's language (str(): English)."""

    def __init__(self, queue: str, kind: str, template: str, /, **params):
        super().__init__(template, **params)
        self.queue, self.kind = queue, kind


def get_printer(session: Session, name: str, active_only: bool = True) -> Printer:
    """The printer called `name`; a disabled one only with active_only=False (it releases nothing)."""
    printer = session.scalar(select(Printer).where(Printer.name == name))
    if printer is None:
        raise UnknownPrinter(name)
    if active_only and not printer.is_active:
        raise PrinterDisabled(name)
    return printer


def list_printers(session: Session) -> list[Printer]:
    return list(session.scalars(select(Printer).order_by(Printer.name)))


def duplex_available(session: Session) -> bool:
    """Whether some active printer prints on both sides (else two-sided is not offered before release)."""
    return session.scalar(select(Printer.id).where(Printer.is_active.is_(True), Printer.supports_duplex.is_(True))
                          .limit(1)) is not None


def not_release_targets(queues: list[QueueInfo]) -> dict[str, Message]:
    """Queues that must never be printers, with why: capture queues, classes (the virtual queue) and
    every member of a class (releasing to one would capture the document again as a new job)."""
    skipped = {}
    for queue in queues:
        if queue.is_class:
            skipped[queue.name] = Message(N_("a CUPS class (the virtual queue?)"))
            for member in queue.members:
                skipped.setdefault(member, Message(N_("a member of the class %(name)s"), name=queue.name))
        elif queue.device_uri.startswith(CAPTURE_SCHEME):
            skipped.setdefault(queue.name, Message(N_("a printrelease capture queue")))
    return skipped


def _place(session: Session, name: str, server: str, queue: QueueInfo, note: Callable[[Note], None],
           rename: bool = False) -> Printer:
    """The printer `name` at server/queue: found there (renamed to `name` with `rename`), moved there, or new."""
    at = session.scalar(select(Printer).where(Printer.cups_server == server, Printer.cups_queue == queue.name))
    named = session.scalar(select(Printer).where(Printer.name == name))
    if at is not None and named is not None and at.id != named.id:
        raise PrinterConflict(N_("%(server)s/%(queue)s is already the printer %(other)s; choose that name or "
                                 "remove it first"), server=server, queue=queue.name, other=at.name)
    printer = at or named
    if rename and at is not None and named is None:
        note(Note(queue.name, "renamed", N_("%(old)s: renamed %(new)s"), old=at.name, new=name))
        at.name = name
    if printer is None:
        printer = Printer(name=name, cups_server=server, cups_queue=queue.name)
        session.add(printer)
    elif (printer.cups_server, printer.cups_queue) != (server, queue.name):
        note(Note(queue.name, "moved", N_("%(printer)s: moved from %(old)s to %(new)s"), printer=printer.name,
                  old=f"{printer.cups_server or 'default'}/{printer.cups_queue}", new=f"{server}/{queue.name}"))
        printer.cups_server, printer.cups_queue = server, queue.name
    printer.location = queue.location or printer.location
    printer.supports_duplex = queue.supports_duplex
    printer.supports_color = queue.supports_color
    printer.synced_at = utcnow()
    session.flush()
    return printer


SKIPPED = N_("%(queue)s: skipped, %(why)s")


def sync_printers(
    session: Session, server: PrintServer, exclude: set[str] = frozenset(), only: set[str] | None = None,
    note: Callable[[Note], None] = lambda _note: None,
) -> list[Printer]:
    """Create, refresh or move a Printer for each queue on `server` that can be a release target, with
    its capabilities as CUPS reports them; `note` hears what was skipped or moved and why."""
    queues = server.queues()
    skipped = not_release_targets(queues)
    synced = []
    for queue in queues:
        if queue.name in exclude or (only is not None and queue.name not in only):
            continue
        if queue.name in skipped:
            note(Note(queue.name, "skipped", SKIPPED, queue=queue.name, why=skipped[queue.name]))
            continue
        try:
            with session.begin_nested():
                synced.append(_place(session, queue.name, server.address, queue, note))
        except PrinterConflict as error:
            note(Note(queue.name, "skipped", SKIPPED, queue=queue.name, why=error))
    return synced


def add_printer(session: Session, server: PrintServer, name: str, queue_name: str, location: str = "",
                note: Callable[[Note], None] = lambda _note: None) -> Printer:
    """Add the printer `name` for a queue on `server`, or update (move) the one of that name."""
    queues = server.queues()
    queue = next((q for q in queues if q.name == queue_name), None)
    if queue is None:
        raise PrinterConflict(N_("CUPS at %(server)s has no queue '%(queue)s'"), server=server.address,
                              queue=queue_name)
    why = not_release_targets(queues).get(queue_name)
    if why:
        raise PrinterConflict(N_("%(queue)s cannot be a printer: it is %(why)s"), queue=queue_name, why=why)
    printer = _place(session, name, server.address, queue, note, rename=True)
    if location:
        printer.location = location
    return printer


def import_printers(session: Session, rows: list[tuple[int, dict[str, str]]],
                    server_for: Callable[[str], PrintServer], default_server: str,
                    note: Callable[[Note], None] = lambda _note: None) -> list[Printer]:
    """Rows of name, queue, cups_server, location (from `csvinput.read_rows`); all or none."""
    added = []
    for line, row in rows:
        name = row.get("name") or row.get("queue")
        if not name:
            raise PrinterConflict(N_("line %(line)s: no name and no queue"), line=line)
        try:
            added.append(add_printer(session, server_for(row.get("cups_server") or default_server), name,
                                     row.get("queue") or name, row.get("location", ""), note))
        except PrinterConflict as error:
            raise PrinterConflict(N_("line %(line)s: %(problem)s"), line=line, problem=error) from error
    return added


def set_printer_active(session: Session, name: str, active: bool) -> Printer:
    printer = get_printer(session, name, active_only=False)
    printer.is_active = active
    return printer


def set_printer_location(session: Session, name: str, location: str) -> Printer:
    """Where people find the printer ("3층 기획예산과"), as the printer lists show it; "" for none."""
    location = " ".join(str(location).split())
    if len(location) > MAX_LOCATION:
        raise PrinterConflict(N_("a location is at most %(most)s characters"), most=MAX_LOCATION)
    printer = get_printer(session, name, active_only=False)
    printer.location = location
    return printer


def remove_printer(session: Session, name: str) -> None:
    """Delete a printer nothing refers to; one with stations or job history must be disabled instead."""
    printer = get_printer(session, name, active_only=False)
    try:
        with session.begin_nested():
            session.delete(printer)
            session.flush()
    except IntegrityError:
        raise PrinterInUse(N_("printer %(name)s is used by stations or past jobs: move or remove its stations "
                              "first, or disable it to keep its history"), name=name) from None


def unshare_printers(server: PrintServer, address: str,
                     printers: list[Printer]) -> list[tuple[Printer, CupsAdminError | None]]:
    """Mark the release targets that their CUPS server shares not shared, so that nobody prints around the
    release; returns each printer that was shared, with the failure if it could not be changed."""
    shared = {queue.name for queue in server.queues() if queue.shared}
    changed = []
    for printer in printers:
        if printer.cups_queue not in shared:
            continue
        try:
            unshare(address, printer.cups_queue)
            changed.append((printer, None))
        except CupsAdminError as error:
            changed.append((printer, error))
    return changed
