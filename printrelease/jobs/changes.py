"""Changes a person may make to their own held job before releasing it: fewer or more copies (1 to 99),
one- or two-sided, colour to monochrome; the caller commits.

A change is one guarded UPDATE (held, this owner, and the values it was checked against), never a state
change: a release that claimed the job first makes the change lose (JobNotHeld), and a release that
claims it after the change prints the changed values, because the releaser reads a job's options only
after its claim. Monochrome never becomes colour again: a job printed in grey was sent that way on purpose.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from printrelease.analysis import SIDES
from printrelease.db import utcnow
from printrelease.jobs.audit import record_event_for
from printrelease.jobs.errors import JobNotHeld, OptionRefused
from printrelease.jobs.models import Job, JobState
from printrelease.jobs.service import get_job
from printrelease.i18n import N_
from printrelease.printers.service import get_printer

MAX_COPIES = 99


def change_options(session: Session, job_id: int, owner: str, copies: int | None = None, sides: str | None = None,
                   color_mode: str | None = None, printer: str | None = None, actor: str | None = None) -> Job:
    """Change a held job of `owner` (a login; someone else's job is UnknownJob, as if it did not exist).

    With `printer` (the release target the person chose), refuses what that printer cannot do. Raises
    OptionRefused for a change not allowed, JobNotHeld if the job is not (or no longer) held.
    """
    job = get_job(session, job_id, owner)
    changes: dict = {}
    target = get_printer(session, printer) if printer else None
    if copies is not None:
        if isinstance(copies, bool) or not isinstance(copies, int) or not 1 <= copies <= MAX_COPIES:
            raise OptionRefused(N_("copies must be a whole number from 1 to %(most)s"), most=MAX_COPIES)
        changes["copies"] = copies
    if sides is not None:
        if sides not in SIDES:
            raise OptionRefused(N_("'%(value)s' is not a way to print sides (%(choices)s)"), value=str(sides)[:40],
                                choices=", ".join(SIDES))
        if sides != "one-sided" and target is not None and not target.supports_duplex:
            raise OptionRefused(N_("printer %(printer)s cannot print on both sides"), printer=target.name)
        changes["sides"] = sides
    if color_mode is not None:
        if color_mode not in ("color", "monochrome"):
            raise OptionRefused(N_("'%(value)s' is not a colour mode (color, monochrome)"), value=str(color_mode)[:40])
        if color_mode == "color" and job.color_mode != "color":
            raise OptionRefused(N_("a job sent in monochrome cannot be changed to colour"))
        if color_mode == "color" and target is not None and not target.supports_color:
            raise OptionRefused(N_("printer %(printer)s cannot print in colour"), printer=target.name)
        changes["color_mode"] = color_mode
    before = {name: getattr(job, name) for name in changes}
    changed = {name: value for name, value in changes.items() if before[name] != value}
    if not changed:
        _must_be_held(session, job)
        return job
    # The values checked above are part of the guard: a change made meanwhile (another tab) makes this
    # one lose rather than undo it, and monochrome can never turn back into colour.
    guards = [getattr(Job, name) == before[name] for name in changed]
    # A job printed in grey has no colour pages, whatever the analysis measured of its document.
    measured = {"color_pages": 0} if changed.get("color_mode") == "monochrome" else {}
    won = session.execute(
        update(Job).where(Job.id == job.id, Job.owner_id == job.owner_id, Job.state == JobState.HELD, *guards)
        .values(updated_at=utcnow(), **changed, **measured).execution_options(synchronize_session=False)).rowcount == 1
    if not won:
        _must_be_held(session, job)
        raise OptionRefused(N_("job %(job_id)s was changed meanwhile; look at it again"), job_id=job.id)
    detail = ", ".join(f"{name} {before[name]} -> {value}" for name, value in changed.items())
    record_event_for(session, job.id, "changed", detail, actor or owner)
    session.refresh(job)
    return job


def _must_be_held(session: Session, job: Job) -> None:
    state = session.scalar(select(Job.state).where(Job.id == job.id))
    if state is not JobState.HELD:
        raise JobNotHeld(job.id, state.value)
