"""`printrelease db`: schema migrations."""

import click

from printrelease import db as database


@click.group("db")
def group() -> None:
    """Database schema."""


@group.command()
@click.argument("revision", default="head")
@click.pass_obj
def upgrade(runtime, revision: str) -> None:
    """Migrate the database to REVISION (default: the newest)."""
    database.upgrade(runtime.settings.effective_database_url, revision)
    click.echo(f"database at {runtime.engine.url!r} is at {revision}")
