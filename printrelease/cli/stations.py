"""`printrelease stations`: the card stations the server knows (the agent itself is `printrelease station`)."""

from pathlib import Path

import click

from printrelease.cli import in_transaction
from printrelease.keys import write_private_file
from printrelease.stations.service import add_station, last_taps, list_stations, remove_station


@click.group("stations")
def group() -> None:
    """Card stations: a reader at one printer."""


@group.command("add")
@click.argument("name")
@click.option("--printer", required=True, help="The printer the station's taps release to.")
@click.option("--require-pin", is_flag=True, help="Ask every user for their PIN at this station.")
@click.option("--token-file", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the token to this file (mode 0600) instead of printing it.")
@in_transaction
def add(session, name, printer, require_pin, token_file) -> None:
    """Create a station; its token is shown once and only its hash is kept."""
    station, token = add_station(session, name, printer, require_pin)
    if token_file:
        write_private_file(token_file, token + "\n")
        click.echo(f"station {station.name} at {printer}; token written to {token_file}")
    else:
        click.echo(f"station {station.name} at {printer}; token (shown once): {token}")


@group.command("list")
@in_transaction
def list_(session) -> None:
    """List stations, with each one's last tap (a station that has gone quiet may need a look)."""
    last = last_taps(session)
    for station in list_stations(session):
        tap = last.get(station.id)
        seen = f"last tap {tap.at:%Y-%m-%d %H:%M} UTC ({tap.outcome.value})" if tap else "no taps yet"
        click.echo(f"{station.name}\t{station.printer.name}\t{'PIN' if station.require_pin else '-'}\t{seen}")


@group.command("remove")
@click.argument("name")
@in_transaction
def remove(session, name) -> None:
    """Remove a station and revoke its token."""
    remove_station(session, name)
    click.echo(f"removed station {name}")
