"""My jobs (/jobs): the logged-in user's held jobs, their options, release and deletion, and history.

Every view finds jobs through the owner (`jobs.service.get_job(..., owner=...)`, the releaser's own
check): another user's job is "no such job" by every URL, never "forbidden".
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("jobs", __name__, url_prefix="/jobs")

from webui.jobs import history, views  # noqa: E402,F401  (they add their routes to bp)
