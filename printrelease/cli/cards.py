"""`printrelease cards`: users' ID cards, stored as keyed hashes."""

import contextlib

import click

from printrelease.cli import audit
from printrelease.cards.errors import OWNED_BY, CardInUse
from printrelease.cards.service import add_card, claim_unknown_card, list_cards, remove_card
from printrelease.i18n import terminal_language, translate


@contextlib.contextmanager
def _naming_the_owner():
    """Admins are told whose a card is (users never are)."""
    try:
        yield
    except CardInUse as error:
        raise click.ClickException(translate(OWNED_BY, terminal_language(), owner=error.owner,
                                             **error.params)) from error


@click.group("cards")
def group() -> None:
    """ID cards. NUMBER is the UID in hex as a PC/SC reader reads it (04A1B2C3), or dec:N for the
    decimal printed on a badge (big-endian), or decle:N for readers that send the bytes reversed."""


@group.command("add")
@click.argument("user")
@click.argument("number")
@click.option("--label", default="", help="e.g. 'spare badge'.")
@click.pass_obj
def add(runtime, user, number, label) -> None:
    """Give USER the card NUMBER (a user may have several)."""
    with _naming_the_owner(), runtime.sessions.begin() as session:
        card = add_card(session, runtime.card_key, user, number, label)
        audit(session, "cards.add", user, f"…{card.last4}" + (f" ({label})" if label else ""))
        click.echo(f"card …{card.last4} belongs to {user}")


@group.command("list")
@click.argument("user", required=False)
@click.pass_obj
def list_(runtime, user) -> None:
    """List cards (last four digits only), of one user or all."""
    with runtime.sessions() as session:
        for card in list_cards(session, user):
            click.echo(f"{card.user.login}\t…{card.last4}\t{card.label}\t{card.created_at:%Y-%m-%d}")


@group.command("remove")
@click.argument("user")
@click.argument("number_or_last4")
@click.pass_obj
def remove(runtime, user, number_or_last4) -> None:
    """Remove one of USER's cards, named by its number or its last four digits."""
    with runtime.sessions.begin() as session:
        card = remove_card(session, runtime.card_key, user, number_or_last4)
        audit(session, "cards.remove", user, f"…{card.last4}")
        click.echo(f"removed card …{card.last4} of {user}")


@group.command("claim")
@click.argument("user")
@click.option("--station", required=True, help="Where the unknown card was just tapped.")
@click.pass_obj
def claim(runtime, user, station) -> None:
    """Give USER the unknown card most recently tapped at STATION (check who tapped it)."""
    with _naming_the_owner(), runtime.sessions.begin() as session:
        card = claim_unknown_card(session, user, station, runtime.settings.claim_window)
        audit(session, "cards.claim", user, f"…{card.last4} tapped at {station}")
        click.echo(f"card …{card.last4} now belongs to {user}")
