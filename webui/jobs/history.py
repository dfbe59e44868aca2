"""The user's finished jobs (printed, expired, deleted, failed), newest first, by page, between two days."""

from __future__ import annotations

from datetime import timedelta

from flask import g, render_template, request

from printrelease.localtime import start_of_day
from printrelease.myjobs.views import job_history
from webui.auth import login_required
from webui.database import end_reading, get_session, reads_at_once, runtime
from webui.i18n import translate_all
from webui.jobs import bp, words
from webui.jobs.forms import HistoryFilter

PER_PAGE = 20
MAX_PAGE = 10_000


@bp.get("/history")
@login_required
@reads_at_once
def history():
    form = HistoryFilter(request.args)
    valid = form.validate()
    since = until = None
    if valid:
        zone = runtime().settings.timezone
        try:
            since = start_of_day(form.since.data, zone) if form.since.data else None
            until = start_of_day(form.until.data + timedelta(days=1), zone) if form.until.data else None
        except OverflowError:  # the first or last day a date can have: no instant of it in UTC
            valid, since, until = False, None, None
    found = job_history(get_session(), g.user, since=since, until=until, page=_page(request.args.get("page", "1")),
                        per_page=PER_PAGE)
    filters = {key: request.args[key] for key in ("since", "until") if valid and request.args.get(key)}
    end_reading()
    return render_template("jobs/history.html", form=form, found=found, states=translate_all(words.STATES),
                           filters=filters), \
        200 if valid else 400


def _page(text: str) -> int:
    try:
        return min(max(int(text), 1), MAX_PAGE)
    except ValueError:
        return 1
