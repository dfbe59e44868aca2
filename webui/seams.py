"""Where the pages meet core services that are being built beside them (the webcore branch): one place to
rewire when they land.

Every function here is marked `SEAM(...)` with the service it stands in for. Until then each one does the
simplest correct thing with what the core has today, and never pretends: no role column means everyone is
a plain user, no thumbnail service means no thumbnail is shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from printrelease.accounts import sessions as web_sessions
from printrelease.accounts.models import User, WebSession
from printrelease.analysis import SIDES
from printrelease.db import utcnow
from printrelease.errors import Invalid
from printrelease.i18n import N_, normalise
from printrelease.jobs.audit import record_event_for
from printrelease.jobs.errors import JobNotHeld, UnknownJob
from printrelease.jobs.models import Job, JobState
from printrelease.jobs.service import list_jobs
from printrelease.printers.models import Printer

ROLES = ("user", "finance", "admin")
MAX_COPIES = 999
HISTORY_STATES = (JobState.PRINTED, JobState.EXPIRED, JobState.DELETED, JobState.FAILED, JobState.REJECTED)


# -- who: sessions, roles, language ---------------------------------------------------------------------

def session_user(db: Session, token: str | None, idle: timedelta) -> User | None:
    """SEAM(accounts.sessions.session_user with idle expiry): the user of an unexpired session that was
    used within `idle`, else None (and an idle session is ended on the server).

    last_seen_at moves at most once a minute (accounts.sessions.SEEN_EVERY), so idle expiry is to the
    minute; the absolute limit is the session's expires_at.
    """
    if not token or not isinstance(token, str):
        return None
    # Read before session_user moves last_seen_at to now.
    token_hash = web_sessions._hash(token)  # noqa: SLF001 - the seam reads the row as the service would
    last_seen = db.scalar(select(WebSession.last_seen_at).where(WebSession.token_hash == token_hash))
    if last_seen is not None and utcnow() - last_seen > idle + web_sessions.SEEN_EVERY:
        web_sessions.end_session(db, token)
        return None
    return web_sessions.session_user(db, token)


def role_of(user: User) -> str:
    """SEAM(User.role): the user's role; every user is a plain "user" until the column exists."""
    role = getattr(user, "role", None)
    return role if role in ROLES else "user"


def has_role(user: User | None, role: str) -> bool:
    """SEAM(User.has_role): whether `user` may act as `role` (admin may do what finance may)."""
    if user is None:
        return False
    own = getattr(user, "has_role", None)
    if callable(own):
        return bool(own(role))
    return ROLES.index(role_of(user)) >= ROLES.index(role)


def user_language(user: User | None) -> str | None:
    """SEAM(User.language): the language the user chose, or None (then the cookie, then the browser)."""
    language = getattr(user, "language", None) if user is not None else None
    return normalise(language) if language else None


def set_user_language(db: Session, user: User, language: str) -> None:
    """SEAM(User.language): remember the choice on the user (the cookie keeps it meanwhile); caller commits."""
    if hasattr(type(user), "language"):
        user.language = language


# -- held jobs ------------------------------------------------------------------------------------------

def held_jobs(db: Session, user: User) -> list[Job]:
    """SEAM(jobs.service.held_jobs): the user's held jobs, oldest first."""
    return list_jobs(db, owner=user.login, states=[JobState.HELD])


@dataclass(frozen=True)
class HistoryPage:
    jobs: list[Job]
    page: int
    has_more: bool


def job_history(db: Session, user: User, since: datetime | None, before: datetime | None, page: int,
                per_page: int = 20) -> HistoryPage:
    """SEAM(jobs.service.job_history): the user's finished jobs (printed, expired, deleted, failed or
    refused), newest first, submitted in [since, before), one page at a time."""
    query = (select(Job).where(Job.owner_id == user.id, Job.state.in_(HISTORY_STATES))
             .order_by(Job.submitted_at.desc(), Job.id.desc()))
    if since is not None:
        query = query.where(Job.submitted_at >= since)
    if before is not None:
        query = query.where(Job.submitted_at < before)
    rows = list(db.scalars(query.offset((page - 1) * per_page).limit(per_page + 1)).unique())
    return HistoryPage(rows[:per_page], page, len(rows) > per_page)


def change_options(db: Session, user: User, job_id: int, copies: int, sides: str, monochrome: bool,
                   actor: str) -> Job:
    """SEAM(jobs.service.change_options): change a held job's copies, sides and colour before release.

    Colour may only be turned off, and two-sided is offered only when some active printer can print it;
    a release to a simplex or mono printer still adapts the job (release.options.adapt_options). The
    UPDATE is guarded by the state, so a job released meanwhile is left as it was. The caller commits.
    """
    job = db.get(Job, job_id)
    if job is None or job.owner_id != user.id:
        raise UnknownJob(job_id)
    if not 1 <= copies <= MAX_COPIES:
        raise Invalid(N_("copies must be between 1 and %(most)s"), most=MAX_COPIES)
    if sides not in SIDES:
        raise Invalid(N_("unknown sides: %(sides)s"), sides=sides)
    if sides != "one-sided" and sides != job.sides and not duplex_available(db):
        raise Invalid(N_("no printer here can print on both sides"))
    colour = "monochrome" if monochrome or job.color_mode == "monochrome" else "color"
    values = dict(copies=copies, sides=sides, color_mode=colour)
    if colour == "monochrome":
        values["color_pages"] = 0
    changed = db.execute(update(Job).where(Job.id == job_id, Job.owner_id == user.id, Job.state == JobState.HELD)
                         .values(**values)).rowcount
    if not changed:
        raise JobNotHeld(job_id, db.scalar(select(Job.state).where(Job.id == job_id)).value)
    record_event_for(db, job_id, "options", f"copies={copies} sides={sides} color={colour}", actor)
    db.refresh(job)
    return job


def duplex_available(db: Session) -> bool:
    return bool(db.scalar(select(func.count()).select_from(Printer)
                          .where(Printer.is_active.is_(True), Printer.supports_duplex.is_(True))))


def thumbnail_png(db: Session, runtime, job: Job) -> bytes | None:
    """SEAM(jobs thumbnails): a PNG of the first page of the user's held job, or None. None today: the
    page shows no picture rather than a made-up one."""
    return None


def thumbnails_available() -> bool:
    """SEAM(jobs thumbnails): True once thumbnail_png gives pictures, so that pages link them."""
    return False
