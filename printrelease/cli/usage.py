"""`printrelease usage`: printed jobs as finance bills them, and corrections (refunds) as new rows."""

from datetime import timedelta

import click

from printrelease.cli import ROW_ID, audit
from printrelease.cli.dates import LOCAL_DATE
from printrelease.i18n import terminal_language
from printrelease.localtime import bounds, local_now, site_zone
from printrelease.prices.money import format_money, parse_amount
from printrelease.runtime import Runtime
from printrelease.usage.models import UsageRecord
from printrelease.usage.service import correct_usage, corrections_of, get_record, list_usage, net_figures


@click.group("usage")
def group() -> None:
    """Usage records: one per printed job, never changed; corrections are new records."""


def _line(row: UsageRecord, zone: str) -> str:
    money = format_money(row.cost, row.currency or "KRW", terminal_language())
    kind = f"correction of {row.corrects_id}" if row.is_correction else "printed"
    line = (f"{row.id}\t{row.printed_at.astimezone(site_zone(zone)):%Y-%m-%d %H:%M}\t{kind}\t{row.user_login}\t"
            f"{row.department_code or '-'}\t{row.printer_name}\t{row.pages}p\t{row.color_impressions}c+"
            f"{row.mono_impressions}m\t{money}\t{row.title}")
    return line + (f"\t{row.reason} ({row.corrected_by})" if row.is_correction else "")


@group.command("list")
@click.option("--from", "first", type=LOCAL_DATE, help="First day (default: 30 days ago).")
@click.option("--to", "last", type=LOCAL_DATE, help="Last day, included (default: today).")
@click.option("--user", help="Only this user's records.")
@click.option("--limit", default=500, show_default=True)
@click.pass_obj
def list_(runtime: Runtime, first, last, user, limit) -> None:
    """Records booked in a period, oldest first (a correction counts on the day it was made)."""
    zone = runtime.settings.timezone
    today = local_now(zone).date()
    start, end = bounds(first or today - timedelta(days=30), last or today, zone)
    with runtime.sessions() as session:
        for row in list_usage(session, start, end, user, limit):
            click.echo(_line(row, zone))


@group.command("show")
@click.argument("record", type=ROW_ID)
@click.pass_obj
def show(runtime: Runtime, record) -> None:
    """A printed job's record, its corrections and its net figures."""
    zone = runtime.settings.timezone
    with runtime.sessions() as session:
        row = get_record(session, record)
        original = get_record(session, row.original_id or row.id)
        for line in [original, *corrections_of(session, original.id)]:
            click.echo(_line(line, zone))
        net = net_figures(session, original.id)
        click.echo(f"net\t{net.pages}p\t{net.sheets} sheet(s)\t{net.color_impressions}c+{net.mono_impressions}m\t"
                   f"{format_money(net.cost, original.currency or 'KRW', terminal_language())}")


@group.command("correct")
@click.argument("record", type=ROW_ID)
@click.option("--reason", required=True, help="Why, in words finance will read later.")
@click.option("--by", "actor", required=True, help="Who makes the correction.")
@click.option("--refund", is_flag=True, help="Set everything to zero: the job is not charged at all.")
@click.option("--pages", type=click.IntRange(0), help="The job's pages as they should be.")
@click.option("--sheets", type=click.IntRange(0))
@click.option("--colour", type=click.IntRange(0), help="Colour impressions as they should be.")
@click.option("--mono", type=click.IntRange(0), help="Mono impressions as they should be.")
@click.option("--cost", help="The job's cost as it should be, in major units (default: priced again).")
@click.pass_obj
def correct(runtime: Runtime, record, reason, actor, refund, pages, sheets, colour, mono, cost) -> None:
    """Correct the printed job of RECORD (or of a correction of it) with a new record of the changes."""
    if refund == any(v is not None for v in (pages, sheets, colour, mono, cost)):
        raise click.UsageError("give --refund, or the figures that change")
    with runtime.sessions.begin() as session:
        currency = get_record(session, record).currency or runtime.settings.currency
        row = correct_usage(session, record, reason, actor, refund=refund, pages=pages, sheets=sheets,
                            color_impressions=colour, mono_impressions=mono,
                            cost=None if cost is None else parse_amount(cost, currency))
        audit(session, "usage.correct", f"usage record {record}", f"{'refund' if refund else 'correction'} "
              f"{row.id} by {actor}: {reason}")
        click.echo(_line(row, runtime.settings.timezone))
