"""`python -m sandbox`: the self-contained demo a newcomer starts with `make demo` (not part of the production CLI)."""

import signal
import sys
import time
from pathlib import Path

import click

from sandbox.demo import Sandbox


@click.group("sandbox", invoke_without_command=True)
@click.option("--root", type=click.Path(path_type=Path), default="var/demo", show_default=True)
@click.option("--cups-port", default=6631, show_default=True)
@click.option("--port", "server_port", default=8631, show_default=True)
@click.pass_context
def group(ctx, root, cups_port, server_port) -> None:
    """Run a sandbox: private cupsd, virtual queue, two simulated printers, the server, demo users."""
    ctx.obj = Sandbox(root, cups_port, server_port)
    if ctx.invoked_subcommand is not None:
        return
    sandbox = ctx.obj
    # `kill` or a closing terminal must stop the sandbox's services too, as Ctrl-C does.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    signal.signal(signal.SIGHUP, lambda *_: sys.exit(0))
    sandbox.start()
    click.echo(sandbox.instructions())
    try:
        while sandbox.server.poll() is None:
            time.sleep(1)
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        sandbox.stop()


@group.command("tap")
@click.argument("user", required=False)
@click.option("--card", help="Play this card UID (hex) instead of a demo user's badge, e.g. an unknown one.")
@click.pass_obj
def tap(sandbox, user, card) -> None:
    """Tap USER's demo badge on the running demo's card reader and show what the station did."""
    from sandbox.demo import CARDS

    if card is None:
        if user not in CARDS:
            raise click.UsageError(f"name a demo user ({', '.join(CARDS)}) or give --card HEX")
        card = CARDS[user]
    click.echo(sandbox.tap(card))
