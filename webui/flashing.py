"""Messages flashed to the next page, kept small: they travel in the session cookie, which a browser
drops whole (logging the user out) once it passes about 4 KB."""

from __future__ import annotations

from typing import Iterable

from flask import flash
from flask_babel import ngettext

TITLE_CHARS = 100  # a job's title may be 1024 characters of 4-byte UTF-8
MAX_LISTED = 5  # refusals of a 500-job form: the first few say what happened, a count says the rest


def short(title: str) -> str:
    """A job's title as a message quotes it."""
    return title if len(title) <= TITLE_CHARS else title[:TITLE_CHARS - 1] + "…"


def flash_each(messages: Iterable[str], category: str = "error") -> None:
    """One message each for the first MAX_LISTED, then how many more there were."""
    messages = list(messages)
    for message in messages[:MAX_LISTED]:
        flash(message, category)
    if len(messages) > MAX_LISTED:
        rest = len(messages) - MAX_LISTED
        flash(ngettext("…and %(num)s more.", "…and %(num)s more.", rest), category)
