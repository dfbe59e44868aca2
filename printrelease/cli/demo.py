"""`printrelease demo`: the self-contained sandbox a newcomer starts with `make demo`."""

import time
from pathlib import Path

import click

from printrelease.sandbox.demo import Sandbox


@click.group("demo", invoke_without_command=True)
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
    sandbox.start()
    click.echo(sandbox.instructions())
    try:
        while sandbox.server.poll() is None:
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        sandbox.stop()
