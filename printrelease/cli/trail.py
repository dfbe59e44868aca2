"""`printrelease audit`: the trail of administrative actions (who, when, what, from where)."""

from datetime import timedelta

import click

from printrelease.audit.service import audit_trail
from printrelease.cli.dates import LOCAL_DATE
from printrelease.localtime import site_zone, start_of_day
from printrelease.runtime import Runtime


@click.command("audit")
@click.option("--actor", help="Only this person's actions (a login, or e.g. 'cli:root').")
@click.option("--action", help="Only this action (e.g. users.set_role), or a prefix ending in '.' (users.).")
@click.option("--from", "first", type=LOCAL_DATE, help="First day.")
@click.option("--to", "last", type=LOCAL_DATE, help="Last day, included.")
@click.option("--page", default=1, show_default=True)
@click.option("--per-page", default=50, show_default=True)
@click.pass_obj
def group(runtime: Runtime, actor, action, first, last, page, per_page) -> None:
    """Administrative actions, newest first."""
    zone = runtime.settings.timezone
    since = start_of_day(first, zone) if first else None
    until = start_of_day(last + timedelta(days=1), zone) if last else None
    with runtime.sessions() as session:
        result = audit_trail(session, actor, action, since, until, page, per_page)
    for entry in result.items:
        click.echo(f"{entry.at.astimezone(site_zone(zone)):%Y-%m-%d %H:%M:%S}\t{entry.actor}\t{entry.action}\t"
                   f"{entry.target}\t{entry.detail}\t{entry.address or '-'}")
    click.echo(f"page {result.page} of {result.pages} ({result.total} entries)", err=True)
