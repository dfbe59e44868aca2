"""The `printrelease` command: a thin edge over the core services; domain errors become click errors."""

from __future__ import annotations

import functools
import sys
from importlib.metadata import entry_points
from pathlib import Path

import click
from sqlalchemy.exc import DBAPIError

from printrelease.config import Settings
from printrelease.db import MAX_ID
from printrelease.errors import PrintReleaseError
from printrelease.failures import database_problem
from printrelease.i18n import terminal_language
from printrelease.logs import configure_logging
from printrelease.privileges import become_service_user, invoking_login
from printrelease.runtime import Runtime


# Commands that do part of their work as root (installing the CUPS backend, making a backup folder,
# reading or writing the file an admin names, which may sit in /root) and become the service user before
# they touch any data (the runtime sees to that).
ROOT_FIRST = {"cups", "backup", "users", "printers", "stations", "report"}


# Ids of jobs, usage records and kiosks: a number past the database's range is refused as a usage error.
ROW_ID = click.IntRange(1, MAX_ID)


class CommandFailed(click.ClickException):
    def __init__(self, message: str, exit_code: int = 1):
        super().__init__(message)
        self.exit_code = exit_code


class Group(click.Group):
    """Turns known failures from any subcommand (domain errors, an unusable database) into a one-line
    message and exit status 1 (78 for a configuration error)."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except PrintReleaseError as error:
            raise CommandFailed(error.words(terminal_language()), getattr(error, "exit_status", 1)) from error
        except DBAPIError as error:
            url = ctx.obj.settings.effective_database_url if isinstance(ctx.obj, Runtime) else ""
            problem = database_problem(error, url)
            if problem is None:
                raise
            raise CommandFailed(problem.words(terminal_language())) from error


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--data-dir", type=click.Path(path_type=Path), help="Spool and SQLite folder [PRINTRELEASE_DATA_DIR].")
@click.option("--database-url", help="SQLAlchemy URL [PRINTRELEASE_DATABASE_URL].")
@click.option("--cups-server", help="host:port or socket of the CUPS server [PRINTRELEASE_CUPS_SERVER].")
@click.version_option(package_name="printrelease")
@click.pass_context
def main(ctx: click.Context, data_dir, database_url, cups_server) -> None:
    """printrelease: hold jobs from one virtual CUPS queue, release them at any printer.

    Settings come from /etc/printrelease/printrelease.conf (or the file PRINTRELEASE_CONFIG names), the
    environment over it, and these options over both. Run as root on an installed server, every command
    acts as the service user the configuration names.
    """
    settings = Settings.from_env(data_dir=data_dir, database_url=database_url, cups_server=cups_server)
    configure_logging(settings.log_format, settings.log_level, for_terminal=True)
    # The audit trail names the person (the sudo caller, or root), never the owner of the jobs touched.
    ctx.obj = Runtime(settings, actor=f"cli:{invoking_login()}")
    ctx.call_on_close(ctx.obj.close)
    if ctx.invoked_subcommand not in ROOT_FIRST:
        become_service_user(settings)


def cli_actor() -> str:
    """Who acts through the command line, for the audit trail: "cli:" and the administrator's own login
    (through sudo too), or root; found before the command became the service user."""
    context = click.get_current_context(silent=True)
    runtime = context.find_object(Runtime) if context is not None else None
    return runtime.actor if runtime is not None else f"cli:{invoking_login()}"


def audit(session, action: str, target: str = "", detail: str = "") -> None:
    """Record an administrative action taken at the command line, in the command's transaction."""
    from printrelease.audit.service import record_admin_action

    record_admin_action(session, cli_actor(), action, target, detail)


def in_transaction(command):
    """Run a command body inside one session transaction, passed as the first argument."""

    @functools.wraps(command)
    @click.pass_obj
    def wrapper(runtime: Runtime, *args, **kwargs):
        with runtime.sessions.begin() as session:
            return command(session, *args, **kwargs)

    return wrapper


def _register() -> None:
    from printrelease.cli import (backup, cards, cups, db, doctor, jobs, prices, printers, report, sitesettings,
                                  stations, trail, usage, users)
    from printrelease.stations import console as station_console

    for module in (db, cups, printers, users, cards, jobs, stations, prices, usage, report, sitesettings, trail):
        main.add_command(module.group)
    main.add_command(doctor.doctor)
    main.add_command(backup.backup)
    main.add_command(backup.restore)
    main.add_command(station_console.main, "station")
    # Edges that live outside the core (the web server) plug their commands in by entry point, so the
    # core never imports Flask.
    for point in entry_points(group="printrelease.commands"):
        try:
            main.add_command(point.load(), point.name)
        except ImportError as error:  # pragma: no cover - a broken optional edge must not hide the rest
            print(f"printrelease: command {point.name} unavailable: {error}", file=sys.stderr)


_register()
