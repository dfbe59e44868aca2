"""Upload to print (/upload): a document from a laptop without the queue, held like any printed job."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from webui.auth import login_required
from webui.database import runtime
from webui.security import csrf

bp = Blueprint("upload", __name__, url_prefix="/upload")


@bp.get("")
@login_required
def index():
    return render_template("upload/index.html")


@bp.post("")
@login_required
def upload_view():
    # Who is sending comes first: nothing of an anonymous body is read. Only then does the document get
    # its own size limit, and only then is the form (token included) parsed.
    request.max_content_length = runtime().settings.max_job_bytes
    csrf.protect()
    if "document" not in request.files:
        return render_template("upload/index.html"), 400
    return render_template("upload/index.html")
