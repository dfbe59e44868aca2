"""The monthly reports: last month's department, user and printer reports in every format, to a folder and
by mail, once per month across restarts and servers.

`run_monthly_if_due` commits between its steps (claim the month, write and send, record the outcome):
the work takes a while and must neither run twice on two servers nor be forgotten by a crash, so it
takes session factories rather than a session: one to write, one to read the reports through.
"""

from __future__ import annotations

import logging
import os
import smtplib
import ssl
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from printrelease.config import Settings
from printrelease.db import utcnow
from printrelease.errors import PrintReleaseError
from printrelease.i18n import N_, bilingual, translate
from printrelease.localtime import local_now, previous_month
from printrelease.reports.engine import Report, Site
from printrelease.reports.files import FORMATS, MEDIA_TYPES, write_report
from printrelease.reports.models import ReportRun
from printrelease.reports.query import ReportFilter

log = logging.getLogger(__name__)

REPORTS = (("department", ("department",)), ("user", ("department", "user")), ("printer", ("printer",)))
MAX_ATTEMPTS = 3
RETRY_AFTER = timedelta(hours=1)  # a failed run, or one whose server died, is tried again after this


class MailFailed(PrintReleaseError):
    code = "mail_failed"
    template = N_("the reports could not be mailed through %(server)s: %(detail)s")


def write_monthly(session: Session, folder: Path, first: date, last: date, site: Site,
                  language: str = "ko") -> list[Path]:
    """The department, user and printer reports of [first, last] in CSV, XLSX and PDF; returns the files."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, by in REPORTS:
        for fmt in FORMATS:
            report = Report(session, ReportFilter(first, last), by, site=site, language=language)
            path = folder / f"print-usage-{first:%Y-%m}-{name}.{fmt}"
            partial = path.with_name(path.name + ".part")
            try:
                with open(partial, "wb") as stream:
                    write_report(report, fmt, stream)
                os.replace(partial, path)  # a reader never sees half a file
            finally:
                partial.unlink(missing_ok=True)
            written.append(path)
    return written


def message_for(settings: Settings, to: str, files: list[Path], period: str) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = bilingual(N_("Print usage reports for %(period)s"), period=period)
    message["From"], message["To"] = settings.smtp_from, to
    lines = [translate(N_("The print usage reports for %(period)s are attached:"), language, period=period)
             for language in ("ko", "en")]
    message.set_content("\n".join([lines[0], *(f"- {f.name}" for f in files), "", lines[1], *(
        f"- {f.name}" for f in files)]) + "\n")
    for path in files:
        maintype, subtype = MEDIA_TYPES[path.suffix[1:]].split(";")[0].split("/")
        message.add_attachment(path.read_bytes(), maintype=maintype, subtype=subtype, filename=path.name)
    return message


def send(settings: Settings, message: EmailMessage) -> None:
    server = f"{settings.smtp_host}:{settings.smtp_port}"
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=60) as smtp:
            if settings.smtp_starttls:
                smtp.starttls(context=ssl.create_default_context())
            if settings.smtp_user:
                smtp.login(settings.smtp_user, settings.smtp_password or "")
            smtp.send_message(message)
    except (smtplib.SMTPException, OSError) as error:
        raise MailFailed(server=server, detail=str(error)) from error


def run_monthly(reading_sessions: sessionmaker, settings: Settings, first: date, last: date, folder: Path,
                mail_to: str | None = None) -> list[Path]:
    """Write the month's reports to `folder` and, when an SMTP server is configured, mail them.

    Read through reading sessions (`Runtime.reading_sessions`): the nine files are written in one
    transaction, and building a large XLSX or PDF takes minutes with no query, longer than PostgreSQL
    lets a writing session sit idle in a transaction (db.make_engine), which would end it midway.
    """
    with reading_sessions() as session:
        files = write_monthly(session, folder, first, last, Site.from_settings(settings), settings.report_language)
    if mail_to:
        if not settings.smtp_host:
            raise MailFailed(server="-", detail="PRINTRELEASE_SMTP_HOST is not set")
        send(settings, message_for(settings, mail_to, files, f"{first:%Y-%m}"))
    return files


def run_monthly_if_due(sessions: sessionmaker, reading_sessions: sessionmaker, settings: Settings,
                       now: datetime | None = None) -> str | None:
    """For the server's sweep: last month's reports, once, from the 1st on; returns the month if it ran.

    Enabled by PRINTRELEASE_MONTHLY_REPORTS_DIR. A month is claimed in `report_runs` first, so that of
    several servers one does the work; a server that was down on the 1st makes the run up at its
    first sweep after. A failed run (say, the mail server was down) is tried again an hour later, at
    most three times in all.
    """
    if settings.monthly_reports_dir is None:
        return None
    now = now or utcnow()
    first, last = previous_month(local_now(settings.timezone, now).date())
    period = f"{first:%Y-%m}"
    run_id = _claim(sessions, period, now)
    if run_id is None:
        return None
    status, detail = "done", ""
    try:
        files = run_monthly(reading_sessions, settings, first, last, settings.monthly_reports_dir,
                            settings.monthly_reports_mail_to)
        detail = ", ".join(f.name for f in files)
    except (PrintReleaseError, OSError) as error:
        status, detail = "failed", str(error)
        log.warning("monthly reports for %s failed: %s", period, error)
    with sessions.begin() as session:
        session.execute(update(ReportRun).where(ReportRun.id == run_id)
                        .values(status=status, finished_at=utcnow(), detail=detail[:4000]))
    return period


def _claim(sessions: sessionmaker, period: str, now: datetime) -> int | None:
    with sessions.begin() as session:
        run = session.scalar(select(ReportRun).where(ReportRun.kind == "monthly", ReportRun.period == period))
        if run is None:
            run = ReportRun(kind="monthly", period=period, status="running", attempts=1, started_at=now)
            try:
                with session.begin_nested():
                    session.add(run)
                    session.flush()
            except IntegrityError:
                return None  # another server claimed the month a moment ago
            return run.id
        if run.status == "done" or run.attempts >= MAX_ATTEMPTS or run.started_at > now - RETRY_AFTER:
            return None
        won = session.execute(update(ReportRun).where(ReportRun.id == run.id, ReportRun.attempts == run.attempts)
                              .values(status="running", attempts=run.attempts + 1, started_at=now)
                              .execution_options(synchronize_session=False)).rowcount
        return run.id if won == 1 else None
