"""Held jobs: the list, one job's options, its thumbnail, release to a printer, deletion."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, send_file, url_for
from flask_babel import gettext, ngettext
from sqlalchemy import select

from printrelease.errors import PrintReleaseError
from printrelease.jobs.changes import change_options
from printrelease.jobs.errors import UnknownJob
from printrelease.jobs.models import Job, JobState
from printrelease.jobs.service import delete_jobs, get_job
from printrelease.jobs.thumbnails import PDF_TYPES, NoThumbnail, draw, first_page
from printrelease.myjobs.views import held_jobs
from printrelease.prices.service import estimate
from printrelease.printers.service import duplex_available
from printrelease.release.errors import PrinterUnavailable
from webui.auth import login_required
from webui.database import end_reading, get_session, reads_at_once, runtime
from webui.flashing import flash_each, short
from webui.i18n import language
from webui.jobs import bp, words
from webui.jobs.forms import OptionsForm
from webui.jobs.printers import printer_choices
from webui.jobs.rows import held_rows
from webui.security import row_id

MAX_SELECTED = 500


@bp.get("")
@login_required
@reads_at_once
def index():
    session = get_session()
    jobs, printers = held_jobs(session, g.user), printer_choices(session, language())
    end_reading()
    return render_template("jobs/index.html", jobs=held_rows(jobs), printers=printers,
                           chosen=request.args.get("printer"))


@bp.get("/printers")
@login_required
@reads_at_once
def printers():
    """The printer list alone, for the page to refresh the printers' status in place (htmx)."""
    choices = printer_choices(get_session(), language())
    end_reading()
    return render_template("jobs/_printers.html", printers=choices, chosen=request.args.get("printer"))


def _own_job(job_id: int):
    return get_job(get_session(), job_id, owner=g.user.login)


def _sides_choices(job) -> list[tuple[str, str]]:
    """Two-sided only where some printer can do it (or the job already asks for it)."""
    choices = ["one-sided"]
    if duplex_available(get_session()) or job.sides != "one-sided":
        choices += ["two-sided-long-edge", "two-sided-short-edge"]
    return [(value, gettext(words.SIDES[value])) for value in choices]


@bp.route("/<int:job_id>", methods=["GET", "POST"])
@login_required
def detail(job_id: int):
    session = get_session()
    job = _own_job(job_id)
    form = OptionsForm(obj=None if request.method == "POST" else job,
                       data=None if request.method == "POST" else {"monochrome": job.color_mode == "monochrome"})
    form.sides.choices = _sides_choices(job)
    if job.state == JobState.HELD and form.validate_on_submit():
        try:
            change_options(session, job_id, g.user.login, copies=form.copies.data, sides=form.sides.data,
                           color_mode="monochrome" if form.monochrome.data else None, actor=f"web:{g.user.login}")
        except PrintReleaseError as error:
            session.rollback()
            flash(error.words(language()), "error")
        else:
            session.commit()
            flash(gettext("The options of “%(title)s” are changed.", title=short(job.title)), "ok")
            return redirect(url_for("jobs.index"), 303)
    status = 400 if form.errors else 200
    return render_template("jobs/detail.html", job=job, form=form, words=words, cost=estimate(session, job),
                           pictured=PDF_TYPES), status


@bp.get("/<int:job_id>/thumbnail")
@login_required
def thumbnail(job_id: int):
    """The first page, drawn once and kept beside the document; someone else's job is "no such job"."""
    session = get_session()
    try:
        page = first_page(session, runtime().spool, job_id, g.user.login)
        session.rollback()  # drawing takes a while: no transaction (on SQLite, the write lock) meanwhile
        picture = draw(runtime().spool, page)
    except NoThumbnail:
        abort(404)
    response = send_file(picture, mimetype="image/png", max_age=300, conditional=True)
    response.cache_control.private = True
    response.cache_control.public = False
    return response


def _selected() -> list[int]:
    """The job ids ticked on the form, all of them the user's: anything else is "no such job" (404)
    before anything is done, so that a form naming someone else's job changes nothing at all."""
    ids = []
    for value in request.form.getlist("job")[:MAX_SELECTED]:
        job_id = row_id(value)
        if job_id is None:
            raise UnknownJob(value)
        ids.append(job_id)
    own = set(get_session().scalars(select(Job.id).where(Job.id.in_(ids), Job.owner_id == g.user.id)))
    for job_id in ids:
        if job_id not in own:
            raise UnknownJob(job_id)
    return list(dict.fromkeys(ids))


@bp.post("/release")
@login_required
def release():
    everything = request.form.get("all") == "1"
    job_ids = None if everything else _selected()
    printer = request.form.get("printer", "")
    if not everything and not job_ids:
        flash(gettext("Tick the jobs to release first, or release all."), "error")
    elif not printer:
        flash(gettext("Choose a printer first."), "error")
    else:
        # The releaser runs transactions of its own: this request's must not hold the database meanwhile
        # (on SQLite every transaction takes the write lock when it begins).
        get_session().commit()
        _release(printer, job_ids)
    return redirect(url_for("jobs.index", printer=printer or None), 303)


def _release(printer: str, job_ids: list[int] | None) -> None:
    try:
        result = runtime().releaser.release(g.user.login, printer, job_ids, actor=f"web:{g.user.login}")
    except UnknownJob:
        raise  # someone else's job, or none: 404 "no such job"
    except PrinterUnavailable as error:
        flash(gettext("Nothing was sent: %(why)s", why=error.words(language())), "error")
        return
    except PrintReleaseError as error:
        flash(error.words(language()), "error")
        return
    if result.released:
        flash(ngettext("%(num)s job (%(pages)s pages) sent to %(printer)s: collect it there.",
                       "%(num)s jobs (%(pages)s pages) sent to %(printer)s: collect them there.",
                       len(result.released), pages=result.pages, printer=result.printer), "ok")
    elif not result.problems:
        flash(gettext("There was nothing left to send: the jobs were released, deleted or expired meanwhile."),
              "error")
    flash_each(gettext("Not sent: %(problem)s", problem=problem.words(language())) for problem in result.problems)


@bp.post("/delete")
@login_required
def delete():
    """Deleting asks once more, on a page that lists what goes; the second form carries `confirm`."""
    session = get_session()
    job_ids = _selected()
    if not job_ids:
        flash(gettext("Tick the jobs to delete first."), "error")
        return redirect(url_for("jobs.index"), 303)
    if request.form.get("confirm") != "1":
        jobs = session.scalars(select(Job).where(Job.id.in_(job_ids)).order_by(Job.submitted_at, Job.id)).unique()

        return render_template("jobs/delete.html", jobs=list(jobs))
    deleted, refusals = delete_jobs(session, runtime().spool, job_ids, f"web:{g.user.login}", owner=g.user.login)
    session.commit()
    flash_each(error.words(language()) for error in refusals)  # released or expired meanwhile: the others went
    if deleted:
        flash(ngettext("%(num)s job deleted.", "%(num)s jobs deleted.", deleted), "ok")
    return redirect(url_for("jobs.index"), 303)
