"""`printrelease stations` (admin) and `printrelease station run` (the agent at a printer)."""

import faulthandler
import json
import logging
import signal
import sys
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


@click.group("station")
def agent_group() -> None:
    """The agent that runs beside a printer's card reader."""


@agent_group.command("run")
@click.option("--server", "server_url", required=True, help="printrelease server URL, e.g. https://print.example")
@click.option("--token-file", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--reader", "reader_name", help="Part of the reader's name (default: the first reader).")
@click.option("--pin-from-tty", is_flag=True, help="Ask for a PIN on this terminal when the server wants one.")
@click.option("--json-log", is_flag=True, help="Also print each tap's answer as a JSON line on stdout.")
def run(server_url, token_file, reader_name, pin_from_tty, json_log) -> None:
    """Wait for cards, release their owners' jobs here, give feedback; runs until stopped."""
    from printrelease.stations.agent import StationAgent, TapClient
    from printrelease.stations.reader import PcscReader

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # `kill -USR1` makes a stuck agent show where it is.
    faulthandler.register(signal.SIGUSR1, all_threads=True)
    # pyscard's destructors raise when pcscd has gone away; that is expected here, not worth a traceback.
    sys.unraisablehook = lambda unraisable: logging.getLogger("printrelease.station").debug(
        "ignored in %s: %s", unraisable.object, unraisable.exc_value)

    def pin_source():
        return click.prompt("PIN", hide_input=True, default="", show_default=False) or None

    def print_json(answer):
        print(json.dumps(answer, ensure_ascii=False), flush=True)

    agent = StationAgent(PcscReader(reader_name), TapClient(server_url, token_file.read_text().strip()),
                         pin_source=pin_source if pin_from_tty else None, on_tap=print_json if json_log else None)
    try:
        agent.run_forever()
    except KeyboardInterrupt:
        sys.exit(0)
