"""What the person at the kiosk does: release all or some of their jobs here, delete some, or be done.

Each form carries the tap the kiosk showed; an action is for that tap's person only while it is still
the one shown (`kiosks.screens.visitor_for`): after a new tap at the station, "done" or the timeout, the
old screen's buttons do nothing. Job ids from the form are checked as the visitor's before anything is
done: someone else's job is "no such job".
"""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_babel import gettext, ngettext
from sqlalchemy import select

from printrelease.jobs.errors import UnknownJob
from printrelease.jobs.models import Job
from printrelease.jobs.service import delete_jobs
from printrelease.kiosks.errors import ScreenChanged
from printrelease.kiosks.models import Kiosk
from printrelease.kiosks.screens import KioskVisitor, end_kiosk_session, visitor_for, visitor_jobs
from printrelease.release.errors import PrinterUnavailable
from webui.database import get_session, runtime
from webui.flashing import flash_each
from webui.i18n import language
from webui.kiosk import bp
from webui.kiosk.credential import NotPaired, paired_kiosk
from webui.kiosk.screen import following, page
from webui.security import row_id

MAX_SELECTED = 500


@bp.errorhandler(NotPaired)
def _not_paired(_error):
    return redirect(url_for("kiosk.index"), 303)


@bp.errorhandler(ScreenChanged)
def _screen_changed(error: ScreenChanged):
    """Refused, and the kiosk shows what is there now (another person, or the idle screen)."""
    get_session().rollback()
    flash(error.words(language()), "error")
    return page(paired_kiosk()), 409


def _acting() -> tuple[Kiosk, KioskVisitor]:
    kiosk = paired_kiosk()
    tap_id = row_id(request.form.get("tap"))
    if tap_id is None:
        raise ScreenChanged()
    return kiosk, visitor_for(get_session(), kiosk.station_id, tap_id)


def _chosen(visitor: KioskVisitor) -> list[int]:
    ids = []
    for value in request.form.getlist("job")[:MAX_SELECTED]:
        job_id = row_id(value)
        if job_id is None:
            raise UnknownJob(value)
        ids.append(job_id)
    return visitor_jobs(get_session(), visitor, ids)


def _home():
    return redirect(url_for("kiosk.index"), 303)


@bp.post("/release")
def release():
    kiosk, visitor = _acting()
    everything = request.form.get("all") == "1"
    job_ids = None if everything else _chosen(visitor)
    if job_ids == []:
        flash(gettext("Tick the jobs to release first, or release all."), "error")
        return _home()
    station, printer = kiosk.station.name, kiosk.station.printer.name
    # The releaser runs transactions of its own: this request's must not hold the database meanwhile.
    get_session().commit()
    try:
        result = runtime().releaser.release(visitor.login, printer, job_ids, actor=f"kiosk:{station}")
    except PrinterUnavailable as error:
        flash(gettext("Nothing was sent: %(why)s", why=error.words(language())), "error")
        return _home()
    if result.released:
        flash(ngettext("%(num)s job (%(pages)s pages) is printing here at %(printer)s.",
                       "%(num)s jobs (%(pages)s pages) are printing here at %(printer)s.",
                       len(result.released), pages=result.pages, printer=printer), "ok")
    elif not result.problems:
        flash(gettext("There was nothing left to send: the jobs were released, deleted or expired meanwhile."),
              "error")
    flash_each(gettext("Not sent: %(problem)s", problem=problem.words(language())) for problem in result.problems)
    return _home()


@bp.post("/delete")
def delete():
    """Asks once more, on a page listing what goes; the second form carries `confirm`."""
    kiosk, visitor = _acting()
    session = get_session()
    job_ids = _chosen(visitor)
    if not job_ids:
        flash(gettext("Tick the jobs to delete first."), "error")
        return _home()
    if request.form.get("confirm") != "1":
        jobs = session.scalars(select(Job).where(Job.id.in_(job_ids)).order_by(Job.submitted_at, Job.id)).unique()
        return following(kiosk, "kiosk/delete.html", jobs=list(jobs), tap=visitor.tap_id)
    deleted, refusals = delete_jobs(session, runtime().spool, job_ids, f"kiosk:{kiosk.station.name}",
                                    owner=visitor.login)
    session.commit()
    flash_each(error.words(language()) for error in refusals)  # released or expired meanwhile: the others went
    if deleted:
        flash(ngettext("%(num)s job deleted.", "%(num)s jobs deleted.", deleted), "ok")
    return _home()


@bp.post("/done")
def done():
    """Back to the idle screen; a screen that has ended already just goes there too."""
    kiosk = paired_kiosk()
    tap_id = row_id(request.form.get("tap"))
    if tap_id is not None:
        session = get_session()
        end_kiosk_session(session, kiosk.station_id, tap_id)
        session.commit()
    return _home()
