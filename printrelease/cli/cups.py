"""`printrelease cups`: install the capture backend, PPD and virtual queue."""

from __future__ import annotations

from pathlib import Path

import click

from printrelease.cli import audit
from printrelease.cli.printers import unshare_departments
from printrelease.credentials.service import CAPTURE, has_active, issue_token, revoke
from printrelease.cupsadmin import (DEFAULT_MEMBERS, auth_mode, capture_uri, install_backend, install_queue,
                                    remove_queue, server_shares_printers)
from printrelease.printers.service import list_printers
from printrelease.printing import PrintServerUnavailable
from printrelease.privileges import become_service_user

NO_AUTH_RISK = ("warning: the virtual queue asks nobody who they are: anyone who can reach it can print under "
                "any name, charging a colleague (not collecting their pages, which need their card). "
                "Use --auth negotiate (Kerberos) or --auth basic (with TLS) where desks can authenticate.")


@click.group("cups")
def group() -> None:
    """CUPS integration."""


def _existing(server, name: str):
    """The virtual queue as CUPS has it now: (the queue, its capture queues), or (None, [])."""
    queues = {queue.name: queue for queue in server.queues()}
    queue = queues.get(name)
    if queue is None:
        return None, []
    return queue, [queues[m] for m in queue.members if m in queues] if queue.is_class else [queue]


def _hostport(url: str) -> str:
    return url.split("://", 1)[-1].rstrip("/").rsplit("@", 1)[-1]


@group.command("install-queue")
@click.option("--name", help="Name of the virtual queue [PRINTRELEASE_CAPTURE_QUEUE, secure-print].")
@click.option("--server-url", help="Where the CUPS backend reaches the printrelease server "
                                   "[PRINTRELEASE_SERVER_URL, http://127.0.0.1:8631].")
@click.option("--backend-dir", type=click.Path(path_type=Path),
              help="CUPS's backend folder [PRINTRELEASE_CUPS_BACKEND_DIR, /usr/lib/cups/backend].")
@click.option("--members", type=click.IntRange(1, 16),
              help=f"Capture queues behind the virtual queue (>1 makes it a class that captures in parallel); "
                   f"default: as installed, else {DEFAULT_MEMBERS}.")
@click.option("--location", default="")
@click.option("--auth", type=click.Choice(["none", "basic", "negotiate"]),
              help="Make users authenticate to print (Basic over TLS, or Kerberos), so CUPS records who really "
                   "printed instead of the name the client claims; default: as installed, else none.")
@click.option("--share/--no-share", default=None,
              help="Offer the virtual queue to the network so desks can print to it; default: as installed, "
                   "else shared.")
@click.option("--new-token", is_flag=True, help="Issue a new capture credential and revoke the old one.")
@click.pass_obj
def install_queue_command(runtime, name, server_url, backend_dir, members, location, auth, share, new_token):
    """Install the backend and PPD and create or update the virtual queue with lpadmin.

    Run again, it keeps what it is not told to change: the authentication, the sharing, the number of
    capture queues and the capture credential (a new one only with --new-token, a new --server-url or
    new capture queues). Department printers on this CUPS server are marked not shared, so nobody
    prints around the release step.
    """
    settings = runtime.settings
    backend = install_backend(backend_dir or settings.cups_backend_dir)  # as root: cupsd demands it
    become_service_user(settings)
    name = name or settings.capture_queue
    server = runtime.print_server()
    address = settings.cups_server or ""
    try:
        queue, captures = _existing(server, name)
    except PrintServerUnavailable as error:
        raise click.ClickException(f"{error}; is CUPS running, and is PRINTRELEASE_CUPS_SERVER right?") from error
    members = members or len(captures) or DEFAULT_MEMBERS
    auth = auth or (auth_mode(queue.op_policy) if queue else None) or "none"
    share = share if share is not None else (queue.shared if queue else True)
    url = server_url or settings.server_url
    wanted = [name] if members <= 1 else [f"{name}-capture-{i}" for i in range(1, members + 1)]
    have = {q.name for q in captures}
    with runtime.sessions.begin() as session:
        reasons = [why for why, yes in (
            ("asked for (--new-token)", new_token), ("new queue", queue is None),
            ("new capture queues", not set(wanted) <= have),
            ("the server URL changed", server_url and any(_hostport(q.device_uri) != _hostport(url) for q in captures)),
            ("no valid credential", not has_active(session, CAPTURE, name))) if yes]
        device_uri = None
        if reasons:
            revoke(session, CAPTURE, name)
            device_uri = capture_uri(url, issue_token(session, CAPTURE, name)[1])
        if queue is not None and queue.is_class != (members > 1):
            remove_queue(address, name)  # a queue turned into a class or back: lpadmin cannot convert
        queues = install_queue(address, name, device_uri, members=members, location=location, auth=auth,
                               share=share)
        for extra in sorted(have - set(queues) - {name}):
            remove_queue(address, extra)
        # Who opened the queue to unauthenticated printing, or revoked the capture credential, and when.
        audit(session, "cups.install_queue", name, f"authentication {auth}, shared {'yes' if share else 'no'}, "
              f"{len(queues)} capture queue(s), credential {'new' if reasons else 'kept'}")
        departments = [p for p in list_printers(session) if p.cups_server in ("", server.address)]
    unshare_departments(server, address, departments)
    click.echo(f"backend {backend}; queue {name} -> {', '.join(queues)}; captures go to {url}")
    click.echo(f"authentication: {auth}; shared: {'yes' if share else 'no'}; capture credential: "
               + (f"new ({', '.join(reasons)})" if reasons else "kept"))
    if auth == "none":
        click.echo(NO_AUTH_RISK, err=True)
    if share and server_shares_printers(address) is False:
        click.echo("note: this CUPS server does not share printers with the network yet: run "
                   "cupsctl --share-printers (and allow your desks' networks in cupsd.conf)", err=True)
