"""Cancelling a CUPS copy late, when its hold may have been lifted meanwhile, and telling how it ended."""

from __future__ import annotations

from printrelease.printing import ABORTED, CANCELED, COMPLETED, PrintServer

DEAD, PRINTED, ALIVE = "dead", "printed", "alive"


def cancel_copy(server: PrintServer, cups_job_id: int, owner: str) -> str:
    """Cancel the copy, then look at it again: DEAD (cancelled or aborted: hold the job again), PRINTED
    (it completed before the cancel reached it: charge it), or ALIVE (not dead yet: look again later).

    Cancelling a job that has completed is a no-op in CUPS, so only the second look tells a copy that
    printed meanwhile from one that did not. A copy CUPS no longer knows right after our own cancel was
    cancelled: with PreserveJobHistory off, CUPS forgets a job the moment it ends.
    """
    server.cancel(cups_job_id, owner)
    after = server.job(cups_job_id)
    if after is None or after.state in (CANCELED, ABORTED):
        return DEAD
    return PRINTED if after.state == COMPLETED else ALIVE
