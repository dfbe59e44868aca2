"""`printrelease settings`: site settings changed at run time (they override the configuration file)."""

import click

from printrelease.cli import audit, cli_actor
from printrelease.runtime import Runtime
from printrelease.site.service import EDITABLE, reset_setting, set_setting, site_values, stored_settings


@click.group("settings")
def group() -> None:
    """Settings an administrator changes while the server runs: hold_hours (how long jobs are held) and
    max_job_bytes (the largest document taken, e.g. 200M). They apply to jobs captured from then on,
    within seconds on every server."""


@group.command("show")
@click.pass_obj
def show(runtime: Runtime) -> None:
    """The settings in force, and where each comes from."""
    with runtime.sessions() as session:
        values, stored = site_values(session, runtime.settings), stored_settings(session)
    shown = {"hold_hours": f"{values.hold_time.total_seconds() / 3600:g}", "max_job_bytes": str(values.max_job_bytes)}
    for name in EDITABLE:
        row = stored.get(name)
        origin = f"set {row.updated_at:%Y-%m-%d %H:%M} UTC by {row.updated_by}" if row else "configuration"
        click.echo(f"{name}\t{shown[name]}\t{origin}")


@group.command("set")
@click.argument("name", type=click.Choice(sorted(EDITABLE)))
@click.argument("value")
@click.pass_obj
def set_(runtime: Runtime, name, value) -> None:
    """Set NAME to VALUE (hold_hours: e.g. 48; max_job_bytes: e.g. 200M or 1G)."""
    with runtime.sessions.begin() as session:
        row = set_setting(session, name, value, cli_actor())
        audit(session, "settings.set", name, row.value)
    click.echo(f"{name} = {row.value}")


@group.command("reset")
@click.argument("name", type=click.Choice(sorted(EDITABLE)))
@click.pass_obj
def reset(runtime: Runtime, name) -> None:
    """Forget NAME's value set here: the configuration's applies again."""
    with runtime.sessions.begin() as session:
        if reset_setting(session, name):
            audit(session, "settings.reset", name)
    click.echo(f"{name}: the configuration's value applies")
