"""`printrelease doctor`: is this installation healthy, and how to mend what is not."""

from __future__ import annotations

import json

import click

from printrelease.doctor import FAIL, OK, run_checks, worst

MARK = {OK: "ok", "warning": "WARN", FAIL: "FAIL"}


@click.command("doctor")
@click.option("--json", "as_json", is_flag=True, help="One JSON object, as the health endpoint answers.")
@click.pass_obj
def doctor(runtime, as_json) -> None:
    """Check the configuration, database, spool, keys, CUPS, backend, capture queues, printers and stations;
    exit status 1 if anything failed."""
    checks = run_checks(runtime)
    overall = worst(checks)
    if as_json:
        click.echo(json.dumps({"status": overall, "checks": [c.as_dict() for c in checks]}, ensure_ascii=False))
    else:
        for check in checks:
            click.echo(f"{MARK[check.status]:<5} {check.name:<22} {check.detail}")
            if check.remedy and check.status != OK:
                click.echo(f"{'':<5} {'':<22} fix: {check.remedy}")
        click.echo(f"overall: {overall}")
    if overall == FAIL:
        raise SystemExit(1)
