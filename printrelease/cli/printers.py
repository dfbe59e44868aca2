"""`printrelease printers`: release targets imported from CUPS."""

import click

from printrelease.cli import in_transaction
from printrelease.cupsadmin import BACKEND_SCHEME
from printrelease.printers.health import describe_status
from printrelease.printers.service import list_printers, sync_printers


@click.group("printers")
def group() -> None:
    """Department printers that jobs can be released to."""


@group.command("sync")
@click.option("--queue", "queues", multiple=True, help="Only these CUPS queues (default: all but capture queues).")
@click.pass_obj
def sync(runtime, queues) -> None:
    """Import the CUPS server's queues as release targets, with their duplex and colour support."""
    server = runtime.print_server()
    capture = {q.name for q in server.queues() if q.device_uri.startswith(f"{BACKEND_SCHEME}:")}
    with runtime.sessions.begin() as session:
        for printer in sync_printers(session, server, exclude=capture, only=set(queues) or None):
            click.echo(f"{printer.name}\t{printer.location}\tduplex={printer.supports_duplex}"
                       f"\tcolour={printer.supports_color}")


@group.command("list")
@in_transaction
def list_(session) -> None:
    """List release targets, with each one's health as last polled (state, reasons, supplies)."""
    for printer in list_printers(session):
        click.echo(f"{printer.name}\t{printer.cups_server or 'default'}/{printer.cups_queue}\t{printer.location}"
                   f"\t{describe_status(printer)}")
