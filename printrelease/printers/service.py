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

from printrelease.db import utcnow
from printrelease.i18n import N_
from printrelease.printers.errors import PrinterConflict, PrinterDisabled, PrinterInUse, UnknownPrinter
from printrelease.printers.models import Printer
from printrelease.printing import PrintServer, QueueInfo

CAPTURE_SCHEME = "printrelease:"
IMPORT_COLUMNS = ("name", "queue", "cups_server", "location")


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


def not_release_targets(queues: list[QueueInfo]) -> dict[str, str]:
    """Queues that must never be printers, with why: capture queues, classes (the virtual queue) and
    every member of a class (releasing to one would capture the document again as a new job)."""
    skipped = {}
    for queue in queues:
        if queue.is_class:
            skipped[queue.name] = "a CUPS class (the virtual queue?)"
            for member in queue.members:
                skipped.setdefault(member, f"a member of the class {queue.name}")
        elif queue.device_uri.startswith(CAPTURE_SCHEME):
            skipped.setdefault(queue.name, "a printrelease capture queue")
    return skipped


def _place(session: Session, name: str, server: str, queue: QueueInfo, note: Callable[[str], None],
           rename: bool = False) -> Printer:
    """The printer `name` at server/queue: found there (renamed to `name` with `rename`), moved there, or new."""
    at = session.scalar(select(Printer).where(Printer.cups_server == server, Printer.cups_queue == queue.name))
    named = session.scalar(select(Printer).where(Printer.name == name))
    if at is not None and named is not None and at.id != named.id:
        raise PrinterConflict(N_("%(server)s/%(queue)s is already the printer %(other)s; choose that name or "
                                 "remove it first"), server=server, queue=queue.name, other=at.name)
    printer = at or named
    if rename and at is not None and named is None:
        note(f"{at.name}: renamed {name}")
        at.name = name
    if printer is None:
        printer = Printer(name=name, cups_server=server, cups_queue=queue.name)
        session.add(printer)
    elif (printer.cups_server, printer.cups_queue) != (server, queue.name):
        note(f"{printer.name}: moved from {printer.cups_server or 'default'}/{printer.cups_queue} to "
             f"{server}/{queue.name}")
        printer.cups_server, printer.cups_queue = server, queue.name
    printer.location = queue.location or printer.location
    printer.supports_duplex = queue.supports_duplex
    printer.supports_color = queue.supports_color
    printer.synced_at = utcnow()
    session.flush()
    return printer


def sync_printers(
    session: Session, server: PrintServer, exclude: set[str] = frozenset(), only: set[str] | None = None,
    note: Callable[[str], None] = lambda _line: None,
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
            note(f"{queue.name}: skipped, {skipped[queue.name]}")
            continue
        try:
            with session.begin_nested():
                synced.append(_place(session, queue.name, server.address, queue, note))
        except PrinterConflict as error:
            note(f"{queue.name}: skipped, {error}")
    return synced


def add_printer(session: Session, server: PrintServer, name: str, queue_name: str, location: str = "",
                note: Callable[[str], None] = lambda _line: None) -> Printer:
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
                    note: Callable[[str], None] = lambda _line: None) -> list[Printer]:
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
            raise PrinterConflict(N_("line %(line)s: %(problem)s"), line=line, problem=error.words("en")) from error
    return added


def set_printer_active(session: Session, name: str, active: bool) -> Printer:
    printer = get_printer(session, name, active_only=False)
    printer.is_active = active
    return printer


def remove_printer(session: Session, name: str) -> None:
    """Delete a printer nothing refers to; one with stations or job history must be disabled instead."""
    printer = get_printer(session, name, active_only=False)
    try:
        with session.begin_nested():
            session.delete(printer)
            session.flush()
    except IntegrityError:
        raise PrinterInUse(N_("printer %(name)s is used by stations or past jobs: remove its stations first "
                              "(printrelease stations list), or keep its history with printrelease printers "
                              "disable %(name)s"), name=name) from None
