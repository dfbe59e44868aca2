"""`printrelease users`: people who print."""

from pathlib import Path

import click
from sqlalchemy import select

from printrelease.accounts.models import User
from printrelease.accounts.service import add_user, import_users
from printrelease.cli import in_transaction


@click.group("users")
def group() -> None:
    """Users and their departments."""


@group.command("add")
@click.argument("login")
@click.option("--name", "display_name", help="Display name, e.g. 김성렬.")
@click.option("--email")
@click.option("--department", help="Department (cost centre) code.")
@click.option("--department-name")
@in_transaction
def add(session, login, display_name, email, department, department_name) -> None:
    """Add or update the user LOGIN (the name CUPS reports for their jobs)."""
    user = add_user(session, login, display_name, email, department, department_name)
    click.echo(f"{user.login}\t{user.display_name}\t{user.department.code if user.department else '-'}")


@group.command("import")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@in_transaction
def import_(session, csv_file: Path) -> None:
    """Import users from a UTF-8 CSV with columns login, display_name, email, department, department_name."""
    result = import_users(session, csv_file.read_text(encoding="utf-8-sig"))
    click.echo(f"{result.created} created, {result.updated} updated")


@group.command("list")
@in_transaction
def list_(session) -> None:
    """List users."""
    for user in session.scalars(select(User).order_by(User.login)).unique():
        department = user.department.code if user.department else "-"
        click.echo(f"{user.login}\t{user.display_name}\t{department}\t{'active' if user.is_active else 'disabled'}")
