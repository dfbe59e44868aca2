"""The held jobs as My jobs writes them: each row's words, times, cost and links made once, in Python.

A page of held jobs is drawn for every visit, and most of its cost was Jinja calling back into Python
for each value of each row (a filter, a method, a dictionary lookup, a link: a context of its own every
time). Made here with the request's language found once, the template only writes out strings.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import url_for

from printrelease.db import utcnow
from printrelease.jobs.thumbnails import PDF_TYPES
from printrelease.myjobs.views import HeldJob
from webui.i18n import Wording, translate_all
from webui.jobs import words


@dataclass(frozen=True)
class HeldRow:
    id: int
    title: str
    submitted_at: str  # ISO 8601, for <time datetime>
    submitted: str  # in the reader's language, on the site's clock
    pages: int
    copies: int
    sides: str
    colour: str
    left: str  # time left before it expires
    cost: str  # estimated, at site prices; "" when there is no price list
    detail_url: str
    thumbnail_url: str | None  # None: no picture for this format


def held_rows(jobs: list[HeldJob]) -> list[HeldRow]:
    say, now = Wording(), utcnow()
    sides, colours = translate_all(words.SIDES), translate_all(words.COLOURS)
    detail, thumbnail = id_links("jobs.detail", "job_id"), id_links("jobs.thumbnail", "job_id")
    return [HeldRow(job.id, job.title, job.submitted_at.isoformat(), say.when(job.submitted_at), job.pages,
                    job.copies, sides.get(job.sides, job.sides), colours.get(job.color_mode, job.color_mode),
                    say.time_left(job.expires_at, now),
                    say.money(job.estimate.amount, job.estimate.currency) if job.estimate.price_id else "",
                    detail(job.id), thumbnail(job.id) if job.format in PDF_TYPES else None)
            for job in jobs]


def id_links(endpoint: str, name: str) -> Callable[[int], str]:
    """`url_for(endpoint, name=n)` for any integer n, from one url_for call: a row's links cost a tenth."""
    marker = 9_876_543_210  # in no prefix a site could have; an int converter writes it as it is
    parts = url_for(endpoint, **{name: marker}).split(str(marker))
    if len(parts) != 2:  # pragma: no cover - a route that writes its id twice, or differently
        return lambda value: url_for(endpoint, **{name: value})
    before, after = parts
    return lambda value: f"{before}{int(value)}{after}"
