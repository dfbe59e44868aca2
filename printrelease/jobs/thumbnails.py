"""A small picture of a held job's first page, for its owner's list: drawn once by pdftoppm within time and
memory limits, then cached beside the document in the spool and deleted with it.

`first_page` reads the job in the caller's transaction; `draw` needs none and should run outside one.
pdftoppm reads a document anyone could have printed, so it runs as Ghostscript does for colour analysis:
in its own process under prlimit(1), with a deadline.
"""

from __future__ import annotations

import math
import os
import subprocess
import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from printrelease.errors import PrintReleaseError
from printrelease.i18n import N_
from printrelease.jobs.models import JobState
from printrelease.jobs.service import get_job
from printrelease.spool import Spool

PDF_TYPES = ("application/pdf", "application/vnd.cups-pdf")
# The document's bytes are still in the spool in these states.
WITH_DOCUMENT = (JobState.HELD, JobState.RELEASING, JobState.SENT, JobState.LOST)


class NoThumbnail(PrintReleaseError):
    """The first page cannot be drawn: the document is damaged, too demanding, or gone."""

    code = "no_thumbnail"
    template = N_("the first page of job %(job_id)s cannot be shown")


@dataclass(frozen=True)
class ThumbnailLimits:
    size: int = 200  # pixels along the longer side
    memory_bytes: int = 512 * 1024 * 1024
    seconds: float = 20.0


@dataclass(frozen=True)
class FirstPage:
    """A held job's document to draw, and where its picture is kept."""

    job_id: int
    document: Path
    picture: Path


def first_page(session: Session, spool: Spool, job_id: int, owner: str) -> FirstPage:
    """What `draw` draws for `owner`'s job (a login); someone else's job is UnknownJob, as if it did not
    exist. Raises NoThumbnail when there is nothing to draw. Reads only."""
    job = get_job(session, job_id, owner)
    key, state, content_type = job.storage_key, job.state, job.format
    if not key or state not in WITH_DOCUMENT or content_type not in PDF_TYPES:
        raise NoThumbnail(job_id=job_id)
    return FirstPage(job_id, spool.path_for(key), spool.thumbnail_path(key))


def draw(spool: Spool, page: FirstPage, limits: ThumbnailLimits = ThumbnailLimits()) -> Path:
    """The PNG of the page: the cached one at once, else drawn now. Run it outside any transaction (on
    SQLite a transaction holds the write lock, and pdftoppm may take seconds). Raises NoThumbnail."""
    if page.picture.exists():
        if page.picture.stat().st_size == 0:  # drawing it failed once: a document built to be slow costs once
            raise NoThumbnail(job_id=page.job_id)
        return page.picture
    if not page.document.exists():
        raise NoThumbnail(job_id=page.job_id)
    return _render(spool, page.document, page.picture, page.job_id, limits)


def _render(spool: Spool, document: Path, cached: Path, job_id: int, limits: ThumbnailLimits) -> Path:
    prefix = spool.tmp / f"thumb-{uuid.uuid4().hex}"
    drawn = prefix.with_name(prefix.name + ".png")
    command = ["prlimit", f"--as={limits.memory_bytes}", f"--cpu={max(1, math.ceil(limits.seconds))}",
               "pdftoppm", "-q", "-f", "1", "-l", "1", "-singlefile", "-png", "-scale-to", str(limits.size),
               str(document), str(prefix)]
    try:
        done = subprocess.run(command, capture_output=True, timeout=limits.seconds, stdin=subprocess.DEVNULL)
        drew = done.returncode == 0 and drawn.exists() and drawn.stat().st_size > 0
        if drew:
            # Two requests may draw the same page at once: each renames its own file, the last one stays.
            os.replace(drawn, cached)
    except (subprocess.TimeoutExpired, OSError):
        drew = False
    finally:
        drawn.unlink(missing_ok=True)
    if not drew:
        # Remembered as an empty picture (deleted with the document): every page showing the job would
        # otherwise spend a request thread and the time limit on it again.
        try:
            os.close(os.open(cached, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        except OSError:
            pass  # drawn meanwhile by another request, or the spool is away: nothing to remember
        raise NoThumbnail(job_id=job_id)
    if not document.exists():
        # The job was deleted while its page was drawn: the picture goes with the document.
        cached.unlink(missing_ok=True)
        raise NoThumbnail(job_id=job_id)
    return cached
