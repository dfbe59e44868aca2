"""Finding printers and importing them from a CUPS server's queues."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from printrelease.db import utcnow
from printrelease.printers.errors import UnknownPrinter
from printrelease.printers.models import Printer
from printrelease.printing import PrintServer


def get_printer(session: Session, name: str) -> Printer:
    printer = session.scalar(select(Printer).where(Printer.name == name))
    if printer is None:
        raise UnknownPrinter(name)
    return printer


def list_printers(session: Session) -> list[Printer]:
    return list(session.scalars(select(Printer).order_by(Printer.name)))


def sync_printers(
    session: Session, server: PrintServer, exclude: set[str] = frozenset(), only: set[str] | None = None
) -> list[Printer]:
    """Create or refresh a Printer for each queue on `server`, with capabilities as CUPS reports them."""
    synced = []
    for queue in server.queues():
        if queue.name in exclude or (only is not None and queue.name not in only):
            continue
        printer = session.scalar(
            select(Printer).where(Printer.cups_server == server.address, Printer.cups_queue == queue.name)
        )
        if printer is None:
            printer = Printer(name=queue.name, cups_server=server.address, cups_queue=queue.name)
            session.add(printer)
        printer.location = queue.location
        printer.supports_duplex = queue.supports_duplex
        printer.supports_color = queue.supports_color
        printer.synced_at = utcnow()
        synced.append(printer)
    session.flush()
    return synced
