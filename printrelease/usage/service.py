"""Usage rows: what a printed job cost in paper and impressions, frozen with the names it had then."""

from __future__ import annotations

from printrelease.db import utcnow
from printrelease.jobs.models import Job
from printrelease.usage.models import UsageRecord


def usage_for(job: Job, printer_name: str) -> UsageRecord:
    """The usage row of a job that has just printed on `printer_name`; colour is charged page by page."""
    impressions = job.impressions
    if job.color_mode == "monochrome":
        colour = 0
    elif job.color_pages is not None:
        colour = min(impressions, job.color_pages * job.copies)
    else:
        colour = impressions
    department = job.owner.department
    return UsageRecord(
        job_id=job.id,
        printed_at=utcnow(),
        user_login=job.owner.login,
        user_display_name=job.owner.display_name,
        department_code=department.code if department else "",
        department_name=department.name if department else "",
        printer_name=printer_name,
        title=job.title,
        pages=job.pages,
        copies=job.copies,
        sides=job.sides,
        color_mode=job.color_mode,
        sheets=job.sheets,
        impressions=impressions,
        color_impressions=colour,
        mono_impressions=impressions - colour,
    )
