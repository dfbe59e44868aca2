"""The printers a user may release to, with where they are and how they were at the last poll."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from printrelease.printers.health import split_reason, word
from printrelease.printers.models import Printer


@dataclass(frozen=True)
class PrinterChoice:
    name: str
    location: str
    ready: bool  # False: in error at the last poll, so it cannot be chosen
    status: str  # in the reader's language: "ready", "error: paper jam (tray 2)"
    checked_at: datetime | None


# Only the columns the list shows, read once per page (the printer rows have many more).
_ACTIVE = (select(Printer.name, Printer.location, Printer.status_checked_at, Printer.status_reasons,
                  Printer.status_message).where(Printer.is_active.is_(True)).order_by(Printer.name))


def printer_choices(session: Session, language: str) -> list[PrinterChoice]:
    # Columns only, so straight on the session's connection: the ORM's part would be half the cost.
    return list(_worded(tuple(session.connection().execute(_ACTIVE)), language))


@functools.lru_cache(maxsize=16)
def _worded(rows: tuple, language: str) -> tuple[PrinterChoice, ...]:
    """The rows in words: the same for every user of a language until a poll changes a row (the rows
    are the key, so a change is seen at once), where every page of My jobs worded them all again."""
    say = functools.cache(gettext)  # most printers say the same "ready"
    return tuple(printer_status(printer, language, say) for printer in rows)


def printer_status(printer: Printer, language: str, gettext=gettext) -> PrinterChoice:
    """The polled health in words (of a Printer, or a row of the columns read here). A printer not polled
    yet may be chosen: the release asks it first."""
    if printer.status_checked_at is None:
        return PrinterChoice(printer.name, printer.location, True, gettext("not checked yet"), None)
    reasons = [split_reason(reason) for reason in printer.status_reasons.split(",") if reason]
    errors = [word(keyword, language) for keyword, severity in reasons if severity == "error"]
    warnings = [word(keyword, language) for keyword, severity in reasons if severity != "error"]
    if errors:
        why = ", ".join(errors)
        if printer.status_message and printer.status_message not in why:
            why = f"{why} ({printer.status_message})"
        status = gettext("cannot print now: %(why)s", why=why)
    else:
        status = gettext("ready") if not warnings else gettext("ready; %(notes)s", notes=", ".join(warnings))
    return PrinterChoice(printer.name, printer.location, not errors, status, printer.status_checked_at)
