"""The capture endpoint the CUPS backend streams each job to."""

from __future__ import annotations

from urllib.parse import unquote_to_bytes

from flask import Blueprint, jsonify, request
from werkzeug.exceptions import HTTPException

from printrelease.accounts.errors import UnknownUser
from printrelease.credentials.service import CAPTURE
from printrelease.errors import PrintReleaseError
from printrelease.events import event
from printrelease.i18n import N_, bilingual
from printrelease.jobs.models import JobState
from printrelease.jobs.capture import CaptureRequest, capture_job
from printrelease.spool import DocumentTooLarge
from webui.api import bearer_token
from webui.errors import domain_error_response, unexpected_failure
from webui.database import get_session, runtime

HELD = N_("held: tap your card at any printer to print it (job %(job)s, %(pages)s page(s))")
ALREADY_HELD = N_("already captured: tap your card at any printer to print it (job %(job)s, %(pages)s page(s))")

bp = Blueprint("capture", __name__, url_prefix="/api/v1")


def _header(name: str, default: str = "") -> str:
    """Headers carry percent-encoded raw bytes; anything that is not UTF-8 becomes U+FFFD, never an error."""
    value = request.headers.get(name)
    if value is None:
        return default
    return unquote_to_bytes(value).decode("utf-8", "replace")


@bp.post("/capture")
def capture():
    runtime().verified_tokens.check(CAPTURE, bearer_token())
    session = get_session()
    job_id = _header("X-Job-Id")
    capture_request = CaptureRequest(
        user=_header("X-Job-User"),
        title=_header("X-Job-Title"),
        content_type=request.mimetype or "application/octet-stream",
        options=_header("X-Job-Options"),
        copies=_header("X-Job-Copies", "1"),
        source_queue=_header("X-Job-Queue"),
        source_job_id=int(job_id) if job_id.isdigit() else None,
    )
    try:
        outcome = capture_job(session, runtime().spool, runtime().capture_policy, capture_request, request.stream)
    except UnknownUser as error:
        event("refused", user=capture_request.user, queue=capture_request.source_queue, why="unknown user")
        # This job is refused, not the queue broken: 422 makes the backend cancel it, not pause the queue.
        return _reply(f"{error}: only registered users can print here", 422)
    job = outcome.job
    session.commit()
    event("refused" if job.state == JobState.REJECTED else "captured", job=job.id, user=capture_request.user,
          queue=capture_request.source_queue, cups_job=capture_request.source_job_id, pages=job.pages,
          duplicate=outcome.duplicate or None, why=job.state_reason if job.state == JobState.REJECTED else None)
    if job.state == JobState.REJECTED:
        status = 413 if isinstance(outcome.refusal, DocumentTooLarge) else 422
        message = job.state_reason
    else:
        status = 200 if outcome.duplicate else 201
        # Korean first: this line is what people see as the job's status in their print dialog.
        message = bilingual(ALREADY_HELD if outcome.duplicate else HELD, job=job.id, pages=job.pages)
    return _reply(message, status, job=job.id, state=job.state.value, pages=job.pages, duplicate=outcome.duplicate)


def _reply(message: str, status: int, **details):
    if request.accept_mimetypes.best == "text/plain":
        # The CUPS backend asks for plain text: a one-line message it can pass to CUPS as it is.
        return message, status, {"Content-Type": "text/plain; charset=utf-8"}
    return jsonify(message=message, **details), status


@bp.errorhandler(Exception)
def _unexpected(error):
    """The backend shows the answer as the job's message: plain text, never an HTML error page."""
    if isinstance(error, PrintReleaseError):
        return domain_error_response(error)  # a blueprint's handler comes first: word it as the app would
    if isinstance(error, HTTPException):
        return f"{error.code} {error.name}", error.code, {"Content-Type": "text/plain; charset=utf-8"}
    message, status = unexpected_failure(error)
    return message, status, {"Content-Type": "text/plain; charset=utf-8"}
