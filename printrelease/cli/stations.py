"""`printrelease stations`: the card stations the server knows (the agent itself is `printrelease station`)."""

from pathlib import Path

import click

from printrelease.cli import ROW_ID, audit, cli_actor, in_transaction
from printrelease.keys import write_private_file
from printrelease.privileges import as_invoker, become_service_user
from printrelease.kiosks.service import PAIRING_VALID, create_pairing_code, list_kiosks, unpair
from printrelease.stations.models import RELEASE_MODES
from printrelease.stations.service import add_station, last_taps, list_stations, remove_station, set_release_mode

MODE_HELP = "all: a tap releases every held job; choose: a tap shows the person's jobs on the kiosk."


@click.group("stations")
def group() -> None:
    """Card stations: a reader at one printer, and kiosks (touchscreens) paired with them."""


@group.command("add")
@click.argument("name")
@click.option("--printer", required=True, help="The printer the station's taps release to.")
@click.option("--require-pin", is_flag=True, help="Ask every user for their PIN at this station.")
@click.option("--release-mode", type=click.Choice(RELEASE_MODES), default="all", show_default=True, help=MODE_HELP)
@click.option("--token-file", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the token to this file (mode 0600, the administrator's) instead of printing it.")
@click.pass_obj
def add(runtime, name, printer, require_pin, release_mode, token_file) -> None:
    """Create a station; its token is shown once and only its hash is kept."""
    # The file is for the administrator to copy to the station, wherever they are (/root, say): written
    # as root, while the database is the service's.
    become_service_user(runtime.settings, keep_root=bool(token_file))
    with runtime.sessions.begin() as session:
        station, token = add_station(session, name, printer, require_pin, release_mode)
        audit(session, "stations.add", station.name, f"at {printer}, release {release_mode}"
              + (", PIN required" if require_pin else ""))
        if token_file:
            with as_invoker():  # before the commit: a token that could not be written is no station
                write_private_file(token_file, token + "\n")
    if token_file:
        click.echo(f"station {station.name} at {printer}; token written to {token_file}")
    else:
        click.echo(f"station {station.name} at {printer}; token (shown once): {token}")


@group.command("set")
@click.argument("name")
@click.option("--release-mode", type=click.Choice(RELEASE_MODES), required=True, help=MODE_HELP)
@in_transaction
def set_(session, name, release_mode) -> None:
    """Change a station's release mode."""
    set_release_mode(session, name, release_mode)
    audit(session, "stations.set_release_mode", name, release_mode)
    click.echo(f"station {name}: release {release_mode}")


@group.command("list")
@in_transaction
def list_(session) -> None:
    """List stations, with each one's last tap (a station that has gone quiet may need a look)."""
    last = last_taps(session)
    for station in list_stations(session):
        tap = last.get(station.id)
        seen = f"last tap {tap.at:%Y-%m-%d %H:%M} UTC ({tap.outcome.value})" if tap else "no taps yet"
        click.echo(f"{station.name}\t{station.printer.name}\t{'PIN' if station.require_pin else '-'}\t"
                   f"{station.release_mode}\t{seen}")


@group.command("remove")
@click.argument("name")
@in_transaction
def remove(session, name) -> None:
    """Remove a station and revoke its token (its kiosks stop working)."""
    unpair(session, name)
    remove_station(session, name)
    audit(session, "stations.remove", name)
    click.echo(f"removed station {name}")


@group.command("pair")
@click.argument("name")
@in_transaction
def pair(session, name) -> None:
    """Make a one-time code that pairs a kiosk with station NAME: type it on the kiosk's pairing page
    within a few minutes. Only its hash is kept."""
    pairing, code = create_pairing_code(session, name, cli_actor())
    audit(session, "stations.pair", name, f"pairing code valid until {pairing.expires_at:%H:%M} UTC")
    click.echo(f"pairing code for {name} (valid {PAIRING_VALID.seconds // 60} minutes, once): {code}")


@group.command("kiosks")
@click.argument("name", required=False)
@click.option("--all", "everything", is_flag=True, help="Unpaired kiosks too.")
@in_transaction
def kiosks(session, name, everything) -> None:
    """List the kiosks paired with station NAME, or with every station."""
    for kiosk in list_kiosks(session, name, revoked=everything):
        seen = f"{kiosk.last_seen_at:%Y-%m-%d %H:%M} UTC" if kiosk.last_seen_at else "never"
        state = "\tunpaired" if kiosk.revoked else ""
        click.echo(f"{kiosk.id}\t{kiosk.station.name}\t{kiosk.label or '-'}\tpaired {kiosk.paired_at:%Y-%m-%d %H:%M} "
                   f"UTC from {kiosk.paired_from or '?'}\tlast seen {seen}{state}")


@group.command("unpair")
@click.argument("name")
@click.option("--kiosk", "kiosk_id", type=ROW_ID, help="Only this kiosk (see 'stations kiosks'); default: all of them.")
@in_transaction
def unpair_(session, name, kiosk_id) -> None:
    """Unpair the kiosks of station NAME (or one of them): their credentials stop working."""
    gone = unpair(session, name, kiosk_id)
    audit(session, "stations.unpair", name, ", ".join(f"kiosk {k.id}" for k in gone) or "no kiosk paired")
    click.echo(f"{len(gone)} kiosk(s) of {name} unpaired")
