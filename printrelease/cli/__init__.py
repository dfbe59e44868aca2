"""The `printrelease` command: a thin edge over the core services; domain errors become click errors."""

from __future__ import annotations

import functools
import sys
from importlib.metadata import entry_points
from pathlib import Path

import click

from printrelease.config import Settings
from printrelease.errors import PrintReleaseError
from printrelease.i18n import terminal_language
from printrelease.runtime import Runtime


class Group(click.Group):
    """Turns domain errors from any subcommand into a one-line message and exit status 1."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except PrintReleaseError as error:
            raise click.ClickException(error.words(terminal_language())) from error


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--data-dir", type=click.Path(path_type=Path), help="Spool and SQLite folder [PRINTRELEASE_DATA_DIR].")
@click.option("--database-url", help="SQLAlchemy URL [PRINTRELEASE_DATABASE_URL].")
@click.option("--cups-server", help="host:port of the CUPS server [PRINTRELEASE_CUPS_SERVER].")
@click.version_option(package_name="printrelease")
@click.pass_context
def main(ctx: click.Context, data_dir, database_url, cups_server) -> None:
    """printrelease: hold jobs from one virtual CUPS queue, release them at any printer."""
    settings = Settings.from_env(data_dir=data_dir, database_url=database_url, cups_server=cups_server)
    ctx.obj = Runtime(settings)
    ctx.call_on_close(ctx.obj.close)


def in_transaction(command):
    """Run a command body inside one session transaction, passed as the first argument."""

    @functools.wraps(command)
    @click.pass_obj
    def wrapper(runtime: Runtime, *args, **kwargs):
        with runtime.sessions.begin() as session:
            return command(session, *args, **kwargs)

    return wrapper


def _register() -> None:
    from printrelease.cli import cards, cups, db, jobs, prices, printers, report, stations, usage, users

    for module in (db, cups, printers, users, cards, jobs, stations, prices, usage, report):
        main.add_command(module.group)
    main.add_command(stations.agent_group)
    # Edges that live outside the core (the web server) plug their commands in by entry point, so the
    # core never imports Flask.
    for point in entry_points(group="printrelease.commands"):
        try:
            main.add_command(point.load(), point.name)
        except ImportError as error:  # pragma: no cover - a broken optional edge must not hide the rest
            print(f"printrelease: command {point.name} unavailable: {error}", file=sys.stderr)


_register()
