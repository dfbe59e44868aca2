"""`printrelease jobs`: list, release, delete and expire held jobs."""

import time

import click

from printrelease.cli import ROW_ID, audit, cli_actor, in_transaction
from printrelease.db import utcnow
from printrelease.i18n import terminal_language
from printrelease.jobs.colour import measure_colour
from printrelease.jobs.models import JobState
from printrelease.jobs.service import delete_job, expire_jobs, get_job, list_jobs
from printrelease.prices.money import format_money
from printrelease.prices.service import estimate
from printrelease.release.lost import resolve_lost_job


@click.group("jobs")
def group() -> None:
    """Held and past jobs."""


@group.command("list")
@click.option("--user", help="Only this user's jobs.")
@click.option("--state", "states", multiple=True, type=click.Choice([s.value for s in JobState]),
              help="Only jobs in these states (default: held).")
@click.option("--all", "all_states", is_flag=True, help="Jobs in every state.")
@in_transaction
def list_(session, user, states, all_states) -> None:
    """List jobs, oldest first, held ones with their estimated cost at site prices."""
    wanted = None if all_states else [JobState(s) for s in states] or [JobState.HELD]
    language = terminal_language()
    for job in list_jobs(session, owner=user, states=wanted):
        expires = f"{job.expires_at:%Y-%m-%d %H:%M}" if job.expires_at else "-"
        cost = "-"
        if job.state == JobState.HELD:
            charge = estimate(session, job)
            cost = "~" + format_money(charge.amount, charge.currency, language) if charge.price_id else "-"
        click.echo(f"{job.id}\t{job.owner.login}\t{job.state.value}\t{job.pages}p x{job.copies}\t"
                   f"{job.sides}\t{job.color_mode}\t{cost}\t{expires}\t{job.title}\t{job.state_reason}")


@group.command("release")
@click.option("--user", required=True, help="Whose jobs.")
@click.option("--printer", required=True, help="Release target (see 'printers list').")
@click.option("--job", "job_ids", multiple=True, type=ROW_ID, help="Only these jobs (default: all held).")
@click.option("--wait/--no-wait", default=True, show_default=True, help="Follow the jobs until CUPS finishes them.")
@click.option("--timeout", default=300.0, show_default=True, help="Seconds to wait with --wait.")
@click.pass_obj
def release(runtime, user, printer, job_ids, wait, timeout) -> None:
    """Send held jobs to a printer, oldest first, as their owner."""
    result = runtime.releaser.release(user, printer, job_ids or None, actor=runtime.actor)
    if result.released:
        with runtime.sessions.begin() as session:
            audit(session, "jobs.release", user, f"{', '.join(str(j.job_id) for j in result.released)} to {printer}")
    for problem in result.problems:
        click.echo(f"warning: {problem.words(terminal_language())}", err=True)
    if not result.released:
        click.echo(f"nothing to print for {user}")
        return
    for item in result.released:
        click.echo(f"sent job {item.job_id} ({item.pages} page(s)) to {printer} as CUPS job {item.cups_job_id}")
    if wait:
        _follow(runtime, [item.job_id for item in result.released], timeout)


def _follow(runtime, job_ids, timeout) -> None:
    pending, deadline = set(job_ids), time.monotonic() + timeout
    with click.progressbar(length=len(pending), label="printing") as bar:
        while pending and time.monotonic() < deadline:
            runtime.releaser.follow(pending)
            # Read the outcome back rather than trusting only this process's follow: the server's sweep
            # may have settled a job first.
            with runtime.sessions() as session:
                settled = [job for job in (get_job(session, job_id) for job_id in sorted(pending))
                           if job.state != JobState.SENT]
            for job in settled:
                pending.discard(job.id)
                bar.update(1)
                click.echo(f"\njob {job.id}: {job.state.value} ({job.state_reason})")
            if pending:
                time.sleep(0.25)
    if pending:
        raise click.ClickException(f"still printing after {timeout:.0f}s: jobs {sorted(pending)}")


@group.command("delete")
@click.argument("job_ids", nargs=-1, type=ROW_ID, required=True)
@click.option("--user", help="Refuse jobs that are not this user's.")
@click.pass_obj
def delete(runtime, job_ids, user) -> None:
    """Withdraw held jobs; their documents are deleted, their records kept."""
    with runtime.sessions.begin() as session:
        for job_id in job_ids:
            job = delete_job(session, runtime.spool, job_id, actor=runtime.actor, owner=user)
            audit(session, "jobs.delete", job.owner.login, f"job {job.id} ({job.title})")
            click.echo(f"deleted job {job.id} ({job.title})")


@group.command("resolve")
@click.argument("job_id", type=ROW_ID)
@click.option("--printed", "outcome", flag_value="printed", help="It did print: charge it.")
@click.option("--held", "outcome", flag_value="held", help="It did not print: hold it again for its owner.")
@click.pass_obj
def resolve(runtime, job_id, outcome) -> None:
    """Settle a lost job (sent, but CUPS forgot it before its end was seen): see `jobs list --state lost`."""
    if outcome is None:
        raise click.UsageError("say what happened: --printed or --held")
    if outcome == "printed":
        # Charged page by page, as `follow` charges a job it saw print: measured while the document is
        # still there (the resolution deletes it), outside the transaction (rendering takes a while).
        measure_colour(runtime.sessions, runtime.spool, job_id)
    with runtime.sessions.begin() as session:
        job = resolve_lost_job(session, runtime.spool, job_id, outcome == "printed", actor=cli_actor(),
                               hold_until=utcnow() + runtime.site_settings.values().hold_time)
        audit(session, "jobs.resolve", job.owner.login, f"job {job.id}: {outcome}")
        click.echo(f"job {job.id}: {job.state.value} ({job.state_reason})")


@group.command("expire")
@click.pass_obj
def expire(runtime) -> None:
    """Retire held jobs past their deadline now (the server also does this periodically)."""
    with runtime.sessions.begin() as session:
        expired = expire_jobs(session, runtime.spool)
        for job in expired:
            click.echo(f"expired job {job.id} of {job.owner.login} ({job.title})")
    click.echo(f"{len(expired)} job(s) expired")
