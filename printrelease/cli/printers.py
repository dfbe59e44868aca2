"""`printrelease printers`: release targets, imported from CUPS or added by hand."""

from __future__ import annotations

from pathlib import Path

import click

from printrelease.cli import audit, in_transaction
from printrelease.printers.health import describe_status
from printrelease.csvinput import decode_csv, read_rows
from printrelease.printers.service import (IMPORT_COLUMNS, add_printer, import_printers, list_printers,
                                           remove_printer, set_printer_active, sync_printers, unshare_printers)

ENCODING = click.option("--encoding", help="The file's encoding (default: UTF-8 or CP949, detected).")


@click.group("printers")
def group() -> None:
    """Department printers that jobs can be released to."""


def _note(line: str) -> None:
    click.echo(f"note: {line}", err=True)


def unshare_departments(server, address: str, printers) -> None:
    """Mark the release targets on this CUPS server not shared, so nobody prints around the release."""
    for printer, error in unshare_printers(server, address, printers):
        if error is None:
            click.echo(f"{printer.name}: marked not shared (reached only through release)")
        else:
            _note(f"{printer.name} is shared on its CUPS server and could not be changed ({error}); on that "
                  f"server run: lpadmin -p {printer.cups_queue} -o printer-is-shared=false")


def _show(printer) -> None:
    click.echo(f"{printer.name}\t{printer.location}\tduplex={printer.supports_duplex}"
               f"\tcolour={printer.supports_color}")


@group.command("sync")
@click.option("--queue", "queues", multiple=True,
              help="Only these CUPS queues (default: all but the virtual queue and its capture queues).")
@click.pass_obj
def sync(runtime, queues) -> None:
    """Import the CUPS server's queues as release targets, with their duplex and colour support.

    A queue already known at another address (a new CUPS server) moves there, stations and all.
    """
    server = runtime.print_server()
    with runtime.sessions.begin() as session:
        synced = sync_printers(session, server, only=set(queues) or None, note=_note)
        audit(session, "printers.sync", runtime.settings.cups_server or "", ", ".join(p.name for p in synced))
        for printer in synced:
            _show(printer)
    unshare_departments(server, runtime.settings.cups_server or "", synced)


@group.command("add")
@click.argument("name")
@click.option("--queue", help="The CUPS queue (default: NAME).")
@click.option("--cups-server", "cups_server", help="Its CUPS server (default: PRINTRELEASE_CUPS_SERVER).")
@click.option("--location", default="")
@click.pass_obj
def add(runtime, name, queue, cups_server, location) -> None:
    """Add the printer NAME, or move it to another CUPS server or queue (its stations stay with it)."""
    server = runtime.print_server(cups_server or "")
    with runtime.sessions.begin() as session:
        printer = add_printer(session, server, name, queue or name, location, note=_note)
        audit(session, "printers.add", printer.name,
              f"{printer.cups_server or 'default'}/{printer.cups_queue}" + (f", {location}" if location else ""))
        _show(printer)
    unshare_departments(server, cups_server or runtime.settings.cups_server or "", [printer])


@group.command("import")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@ENCODING
@click.pass_obj
def import_(runtime, csv_file: Path, encoding) -> None:
    """Add or update printers from a CSV with columns name, queue, cups_server (optional) and location
    (optional); all rows or none."""
    rows = read_rows(decode_csv(csv_file.read_bytes(), encoding, str(csv_file)), IMPORT_COLUMNS, ("queue",))
    with runtime.sessions.begin() as session:
        printers = import_printers(session, rows, runtime.print_server, runtime.settings.cups_server or "", _note)
        audit(session, "printers.import", csv_file.name, ", ".join(p.name for p in printers))
        for printer in printers:
            _show(printer)
    click.echo(f"{len(printers)} printer(s) imported")


@group.command("remove")
@click.argument("name")
@in_transaction
def remove(session, name) -> None:
    """Remove a printer that has no stations and no job history (else disable it)."""
    remove_printer(session, name)
    audit(session, "printers.remove", name)
    click.echo(f"removed printer {name}")


@group.command("disable")
@click.argument("name")
@in_transaction
def disable(session, name) -> None:
    """Stop releasing to NAME (taps there release nothing; jobs stay held); its history stays."""
    set_printer_active(session, name, False)
    audit(session, "printers.disable", name)
    click.echo(f"{name} disabled")


@group.command("enable")
@click.argument("name")
@in_transaction
def enable(session, name) -> None:
    """Release to NAME again."""
    set_printer_active(session, name, True)
    audit(session, "printers.enable", name)
    click.echo(f"{name} enabled")


@group.command("list")
@in_transaction
def list_(session) -> None:
    """List release targets, with each one's health as last polled (state, reasons, supplies)."""
    for printer in list_printers(session):
        state = "" if printer.is_active else "\tdisabled"
        click.echo(f"{printer.name}\t{printer.cups_server or 'default'}/{printer.cups_queue}\t{printer.location}"
                   f"\t{describe_status(printer)}{state}")
