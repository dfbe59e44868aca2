"""`printrelease report`: usage reports as CSV, XLSX or PDF files, and last month's reports by mail."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from printrelease.cli.dates import LOCAL_DATE, MONTH
from printrelease.localtime import local_now, month_of, previous_month
from printrelease.privileges import as_invoker, become_service_user
from printrelease.reports.engine import Report, Site
from printrelease.reports.files import FORMATS, write_report
from printrelease.reports.monthly import run_monthly
from printrelease.reports.query import DIMENSIONS, ReportFilter
from printrelease.runtime import Runtime

GROUPINGS = DIMENSIONS + ("detail", "clicks")


@click.group("report", invoke_without_command=True)
@click.option("--from", "first", type=LOCAL_DATE, help="First day, on the site's clock.")
@click.option("--to", "last", type=LOCAL_DATE, help="Last day, included.")
@click.option("--by", multiple=True, type=click.Choice(GROUPINGS),
              help="Group by (repeat for subtotals: --by department --by user); detail: every record; "
                   "clicks: each printer's count by paper size.  [default: department]")
@click.option("--department", help="Only this department (code or name).")
@click.option("--user", help="Only this user (login).")
@click.option("--printer", help="Only this printer.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), help="Default: from the file name.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="The file to write.")
@click.option("--language", type=click.Choice(["ko", "en"]), help="[PRINTRELEASE_REPORT_LANGUAGE, ko]")
@click.pass_context
def group(ctx, first, last, by, department, user, printer, fmt, output, language) -> None:
    """Print usage over a period: printed, corrected, not printed, saved; CSV, XLSX or PDF."""
    if ctx.invoked_subcommand:
        return
    if not (first and last and output):
        raise click.UsageError("give --from, --to and -o FILE (or a subcommand)")
    fmt = fmt or output.suffix.lstrip(".").lower()
    if fmt not in FORMATS:
        raise click.UsageError(f"give --format: one of {', '.join(FORMATS)}")
    by = by or ("department",)
    kind = by[0] if by[0] in ("detail", "clicks") else "summary"
    if kind != "summary" and len(by) > 1:
        raise click.UsageError(f"--by {kind} stands alone")
    runtime: Runtime = ctx.obj
    settings = runtime.settings
    become_service_user(settings, keep_root=True)  # the file is the administrator's: see _write
    # A reading session: a year's export takes minutes, and on SQLite a writing one would hold the write
    # lock all along, so that the server's captures and releases would give up waiting.
    with runtime.reading_sessions() as session:
        report = Report(session, ReportFilter(first, last, department, user, printer), by, kind,
                        Site.from_settings(settings), language or settings.report_language)
        _write(report, fmt, output)


def _write(report: Report, fmt: str, output: Path) -> None:
    """The file is made, renamed and removed as the administrator, wherever they asked for it (/root,
    say); its rows are read from the database as the service user, through the open file."""
    partial = output.with_name(output.name + ".part")
    total = report.count()
    try:
        try:
            with as_invoker():
                stream = open(partial, "wb")
        except OSError as error:
            raise click.ClickException(f"cannot write {output}: {error.strerror}") from None
        with stream, click.progressbar(length=total or 0, label=f"{output.name}", file=sys.stderr,
                                       hidden=not total or total < 10_000) as bar:
            rows = write_report(report, fmt, stream, bar.update)
        with as_invoker():
            os.replace(partial, output)
    finally:
        with as_invoker():
            partial.unlink(missing_ok=True)
    click.echo(f"{output}: {rows} row(s)")


@group.command("monthly")
@click.option("--to-folder", "folder", type=click.Path(file_okay=False, path_type=Path), required=True)
@click.option("--mail-to", help="Also mail the files here (needs PRINTRELEASE_SMTP_HOST).")
@click.option("--month", type=MONTH, help="Which month (default: the previous one).")
@click.pass_obj
def monthly(runtime: Runtime, folder, mail_to, month) -> None:
    """Write a month's department, user and printer reports in every format, and mail them."""
    settings = runtime.settings
    first, last = month_of(month) if month else previous_month(local_now(settings.timezone).date())
    try:
        paths = run_monthly(runtime.reading_sessions, settings, first, last, folder, mail_to)
    except PermissionError:
        # Written by the service user, which may not enter the folder named (/root, say).
        owner = settings.service_user or "this user"
        raise click.ClickException(f"{owner} cannot write in {folder}: choose a folder it can write, or make "
                                   f"one for it (install -d -o {owner} -m 750 {folder})") from None
    for path in paths:
        click.echo(str(path))
    if mail_to:
        click.echo(f"mailed to {mail_to}")
