"""`printrelease cups`: install the capture backend, PPD and virtual queue."""

from pathlib import Path

import click

from printrelease.credentials.service import CAPTURE, issue_token, revoke
from printrelease.cupsadmin import DEFAULT_MEMBERS, capture_uri, install_backend, install_queue


@click.group("cups")
def group() -> None:
    """CUPS integration."""


@group.command("install-queue")
@click.option("--name", default="secure-print", show_default=True, help="Name of the virtual queue.")
@click.option("--server-url", default="http://127.0.0.1:8631", show_default=True,
              help="Where the CUPS backend reaches the printrelease server.")
@click.option("--backend-dir", type=click.Path(path_type=Path), default="/usr/lib/cups/backend", show_default=True)
@click.option("--members", default=DEFAULT_MEMBERS, show_default=True, type=click.IntRange(1, 16),
              help="Capture queues behind the virtual queue (>1 makes it a class that captures in parallel).")
@click.option("--location", default="")
@click.option("--auth", type=click.Choice(["none", "basic", "negotiate"]), default="none", show_default=True,
              help="Make users authenticate to print (Basic over TLS, or Kerberos), so CUPS records who "
                   "really printed instead of the name the client claims.")
@click.pass_obj
def install_queue_command(runtime, name, server_url, backend_dir, members, location, auth) -> None:
    """Install the backend and PPD and create and enable the virtual queue with lpadmin.

    A fresh capture credential is issued for the queue; earlier ones for the same name are revoked.
    """
    backend = install_backend(backend_dir)
    with runtime.sessions.begin() as session:
        revoke(session, CAPTURE, name)
        _credential, token = issue_token(session, CAPTURE, name)
        queues = install_queue(runtime.settings.cups_server or "", name, capture_uri(server_url, token),
                               members=members, location=location, auth=auth)
    click.echo(f"backend {backend}; queue {name} -> {', '.join(queues)}; captures go to {server_url}")
    if auth == "none":
        click.echo("note: anyone who can reach the queue can print under any name; see --auth", err=True)
