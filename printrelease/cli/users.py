"""`printrelease users`: people who print."""

from pathlib import Path

import click
from sqlalchemy import select

from printrelease.accounts.models import User
from printrelease.accounts.roles import ROLES
from printrelease.accounts.service import add_user, get_user, import_users, set_active, set_password, set_pin, set_role
from printrelease.cli import audit, in_transaction
from printrelease.csvinput import decode_csv


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
    given = {"name": display_name, "email": email, "department": department, "department_name": department_name}
    audit(session, "users.add", user.login, ", ".join(f"{k}={v}" for k, v in given.items() if v))
    click.echo(f"{user.login}\t{user.display_name}\t{user.department.code if user.department else '-'}")


@group.command("import")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--encoding", help="The file's encoding (default: UTF-8, with or without BOM, or Korean Excel's "
                                 "CP949, detected).")
@click.pass_obj
def import_(runtime, csv_file: Path, encoding) -> None:
    """Import users from a CSV with columns login, display_name, email, department, department_name, card
    (a card number as 'cards add' takes it; optional) and role (user, finance or admin; optional); all rows
    or none."""
    text = decode_csv(csv_file.read_bytes(), encoding, str(csv_file))
    with runtime.sessions.begin() as session:
        result = import_users(session, text, card_key=runtime.card_key)
        audit(session, "users.import", csv_file.name,
              f"{result.created} created, {result.updated} updated, {result.cards} card(s)")
    click.echo(f"{result.created} created, {result.updated} updated, {result.cards} card(s)")


@group.command("set-pin")
@click.argument("login")
@click.option("--pin", prompt=True, hide_input=True, confirmation_prompt=True, help="4 to 12 digits.")
@in_transaction
def set_pin_command(session, login, pin) -> None:
    """Set LOGIN's PIN, asked at every station once set."""
    set_pin(session, login, pin)
    audit(session, "users.set_pin", login)
    click.echo(f"PIN set for {login}")


@group.command("clear-pin")
@click.argument("login")
@in_transaction
def clear_pin(session, login) -> None:
    """Remove LOGIN's PIN."""
    set_pin(session, login, None)
    audit(session, "users.clear_pin", login)
    click.echo(f"PIN cleared for {login}")


@group.command("set-password")
@click.argument("login")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              help="At least 8 characters; asked for when not given.")
@in_transaction
def set_password_command(session, login, password) -> None:
    """Set LOGIN's password for the web UI."""
    set_password(session, login, password)
    audit(session, "users.set_password", login)
    click.echo(f"password set for {login}")


@group.command("clear-password")
@click.argument("login")
@in_transaction
def clear_password(session, login) -> None:
    """Remove LOGIN's password: they can no longer log in to the web UI."""
    set_password(session, login, None)
    audit(session, "users.clear_password", login)
    click.echo(f"password cleared for {login}")


@group.command("disable")
@click.argument("login")
@in_transaction
def disable(session, login) -> None:
    """Disable LOGIN: their cards release nothing and they cannot log in; their held jobs stay until they
    expire."""
    set_active(session, login, False)
    audit(session, "users.disable", login)
    click.echo(f"{login} disabled")


@group.command("enable")
@click.argument("login")
@in_transaction
def enable(session, login) -> None:
    """Enable LOGIN again."""
    set_active(session, login, True)
    audit(session, "users.enable", login)
    click.echo(f"{login} enabled")


@group.command("set-role")
@click.argument("login")
@click.argument("role", type=click.Choice(ROLES))
@in_transaction
def set_role_command(session, login, role) -> None:
    """Make LOGIN a user (their own jobs and cards), finance (reports) or admin (everything)."""
    before = get_user(session, login).role
    set_role(session, login, role)
    audit(session, "users.set_role", login, f"{before} -> {role}")
    click.echo(f"{login} is now {role}")


@group.command("list")
@in_transaction
def list_(session) -> None:
    """List users."""
    for user in session.scalars(select(User).order_by(User.login)).unique():
        department = user.department.code if user.department else "-"
        click.echo(f"{user.login}\t{user.display_name}\t{department}\t{user.role}\t"
                   f"{'active' if user.is_active else 'disabled'}")
