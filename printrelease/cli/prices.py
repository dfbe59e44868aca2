"""`printrelease prices`: price lists per paper size, printer overrides, their history."""

import click

from printrelease.cli import audit
from printrelease.cli.dates import LOCAL_DATE
from printrelease.i18n import terminal_language
from printrelease.localtime import site_zone, start_of_day
from printrelease.prices.models import PRICED_SIZES, Price
from printrelease.prices.money import format_unit_price
from printrelease.prices.service import end_override, price_history, prices_in_force, set_price
from printrelease.runtime import Runtime


@click.group("prices")
def group() -> None:
    """What each printed side costs, from a date on (money in the currency's major unit: 20 means ₩20)."""


def _line(price: Price, zone: str, size: str | None = None) -> str:
    scope = price.printer.name if price.printer else "site"
    since = f"{price.valid_from.astimezone(site_zone(zone)):%Y-%m-%d %H:%M}"
    if price.ends_override:
        return f"{size or price.paper_size}\t{scope}\tsite prices again\t\t\t\t{since}\t{price.set_by}"
    language = terminal_language()
    amounts = "\t".join(format_unit_price(getattr(price, name), price.currency, language) for name in
                        ("mono_simplex", "colour_simplex", "mono_duplex", "colour_duplex"))
    shown_size = size or price.paper_size
    if size and size != price.paper_size:
        shown_size = f"{size} (as {price.paper_size})"
    return f"{shown_size}\t{scope}\t{amounts}\t{since}\t{price.set_by}"


HEADER = "size\tscope\tmono\tcolour\tmono duplex\tcolour duplex\tfrom\tset by"


@group.command("list")
@click.option("--printer", help="The prices at this printer, its overrides included.")
@click.option("--at", "at", type=LOCAL_DATE, help="The prices in force on this day (default: now).")
@click.pass_obj
def list_(runtime: Runtime, printer, at) -> None:
    """The prices in force, per paper size (a size without a price list is charged as A4)."""
    zone = runtime.settings.timezone
    with runtime.sessions() as session:
        click.echo(HEADER)
        for size, price in prices_in_force(session, start_of_day(at, zone) if at else None, printer):
            click.echo(_line(price, zone, size) if price else f"{size}\t-\tno price: printing is free")


@group.command("set")
@click.option("--size", type=click.Choice(PRICED_SIZES), required=True)
@click.option("--mono", required=True, help="Per mono side, e.g. 20.")
@click.option("--colour", required=True, help="Per colour side, e.g. 100.")
@click.option("--mono-duplex", help="Per mono side printed duplex (default: --mono).")
@click.option("--colour-duplex", help="Per colour side printed duplex (default: --colour).")
@click.option("--from", "valid_from", type=LOCAL_DATE, help="From this day's midnight (default: now); never past.")
@click.option("--printer", help="Override the site's prices at this printer.")
@click.option("--by", "actor", default="cli", show_default=True, help="Who sets it (kept in the history).")
@click.pass_obj
def set_(runtime: Runtime, size, mono, colour, mono_duplex, colour_duplex, valid_from, printer, actor) -> None:
    """Set a price list from a date on; jobs charged before keep the price they were charged."""
    settings = runtime.settings
    with runtime.sessions.begin() as session:
        price = set_price(session, size, settings.currency, mono, colour, mono_duplex, colour_duplex,
                          start_of_day(valid_from, settings.timezone) if valid_from else None, printer, actor)
        audit(session, "prices.set", f"{size} at {printer or 'site'}", _line(price, settings.timezone))
        click.echo(_line(price, settings.timezone))


@group.command("end-override")
@click.option("--printer", required=True)
@click.option("--size", type=click.Choice(PRICED_SIZES), required=True)
@click.option("--from", "valid_from", type=LOCAL_DATE, help="From this day's midnight (default: now).")
@click.option("--by", "actor", default="cli", show_default=True)
@click.pass_obj
def end_override_(runtime: Runtime, printer, size, valid_from, actor) -> None:
    """Charge PRINTER at the site's prices for SIZE again."""
    settings = runtime.settings
    with runtime.sessions.begin() as session:
        row = end_override(session, printer, size, settings.currency,
                           start_of_day(valid_from, settings.timezone) if valid_from else None, actor)
        audit(session, "prices.end_override", f"{size} at {printer}", _line(row, settings.timezone))
        click.echo(_line(row, settings.timezone))


@group.command("history")
@click.option("--printer")
@click.option("--size", type=click.Choice(PRICED_SIZES))
@click.pass_obj
def history(runtime: Runtime, printer, size) -> None:
    """Every price ever set, oldest first: site prices, then each printer's overrides."""
    with runtime.sessions() as session:
        click.echo(HEADER)
        for price in price_history(session, printer, size):
            click.echo(_line(price, runtime.settings.timezone))
