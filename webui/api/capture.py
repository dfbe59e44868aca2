"""The capture endpoint the CUPS backend streams each job to."""

from __future__ import annotations

import logging
from urllib.parse import unquote_to_bytes

from flask import Blueprint, jsonify, request
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from printrelease.accounts.errors import UnknownUser
from printrelease.analysis import parse_options
from printrelease.credentials.service import CAPTURE
from printrelease.errors import PrintReleaseError
from printrelease.events import event
from printrelease.i18n import N_, bilingual
from printrelease.jobs.capture import CaptureRequest, capture_job
from printrelease.jobs.failures import CaptureKeepsFailing, record_capture_failure
from printrelease.jobs.models import JobState
from printrelease.spool import DocumentTooLarge, IncompleteUpload
from webui.api import bearer_token
from webui.errors import domain_error_response, unexpected_failure
from webui.database import get_session, runtime

HELD = N_("held: tap your card at any printer to print it (job %(job)s, %(pages)s page(s))")
ALREADY_HELD = N_("already captured: tap your card at any printer to print it (job %(job)s, %(pages)s page(s))")
FAILED = N_("the print server failed to capture this job (attempt %(attempt)s of %(attempts)s); CUPS will try again")
UNAVAILABLE = N_("the print server cannot store jobs just now (%(problem)s); the queue waits until it can")
MAX_JOB_ID = 2**31 - 1
# The server's own trouble, not the document's: the database or the disk is away or full.
UNAVAILABLE_ERRORS = (OperationalError, InterfaceError, PoolTimeout, OSError)

log = logging.getLogger(__name__)
bp = Blueprint("capture", __name__)


def _header(name: str, default: str = "") -> str:
    """Headers carry percent-encoded raw bytes; anything that is not UTF-8, and NUL (which PostgreSQL cannot
    store), becomes U+FFFD, never an error."""
    value = request.headers.get(name)
    if value is None:
        return default
    return unquote_to_bytes(value).decode("utf-8", "replace").replace("\x00", "\ufffd")


def _job_id(value: str) -> int | None:
    """CUPS job ids are positive 32-bit numbers; anything else (², a hundred digits) is no id at all."""
    if not (value.isascii() and value.isdigit()) or len(value) > 10:
        return None
    number = int(value)
    return number if 0 < number <= MAX_JOB_ID else None


class _Body:
    """The request body, opened only when first read (a body declared too large is never opened);
    werkzeug's size limit reads as the spool's own refusal, so that it is recorded like any other."""

    def __init__(self, limit: int):
        self.limit, self.stream = limit, None

    def read(self, size: int = -1) -> bytes:
        try:
            if self.stream is None:
                self.stream = request.stream
            return self.stream.read(size)
        except RequestEntityTooLarge:
            raise DocumentTooLarge(self.limit) from None


@bp.post("/capture")
def capture():
    # The credential first: nothing of an unauthenticated body is read, let alone stored.
    runtime().verified_tokens.check(CAPTURE, bearer_token())
    policy = runtime().capture_policy
    request.max_content_length = policy.max_job_bytes  # the app's limit is a few KB; documents get theirs
    session = get_session()
    capture_request = CaptureRequest(
        user=_header("X-Job-User"),
        title=_header("X-Job-Title"),
        content_type=request.mimetype or "application/octet-stream",
        options=_header("X-Job-Options"),
        copies=_header("X-Job-Copies", "1"),
        source_queue=_header("X-Job-Queue"),
        source_job_id=_job_id(_header("X-Job-Id")),
        declared_size=request.content_length,
    )
    try:
        outcome = capture_job(session, runtime().spool, policy, capture_request, _Body(policy.max_job_bytes))
        job = outcome.job
        session.commit()
    except UnknownUser as error:
        event("refused", user=capture_request.user, queue=capture_request.source_queue, why="unknown user")
        # This job is refused, not the queue broken: 422 makes the backend cancel it, not pause the queue.
        return _reply(f"{error}: only registered users can print here", 422)
    except IncompleteUpload as error:
        # The sender went away mid-upload (a backend killed, a network cut): nothing is kept or counted,
        # and should anyone still read this, 503 keeps the job in CUPS for another try.
        session.rollback()
        return _unavailable(error)
    except PrintReleaseError:
        raise
    except UNAVAILABLE_ERRORS as error:
        session.rollback()
        return _unavailable(error)
    except Exception as error:  # noqa: BLE001 - one job's failure is answered, counted and logged
        session.rollback()
        return _failed(capture_request, error)
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


def _unavailable(error: Exception):
    """Trouble of the server's, not the document's (database or disk): 503 stops the capture queue with
    the job kept, and the sweep resumes it once the server can store jobs again."""
    log.error("capture unavailable: %s", error)
    return _reply(bilingual(UNAVAILABLE, problem=type(error).__name__), 503)


def _failed(capture_request: CaptureRequest, error: Exception):
    """An unexpected failure with this one job: 500 makes the backend let CUPS retry it later while the
    queue goes on; after `capture_attempts` failures of the same CUPS job it is refused for good (422)."""
    log.exception("capture of %r for %r failed", capture_request.title, capture_request.user)
    job_uuid = parse_options(capture_request.options).job_uuid
    limit = runtime().settings.capture_attempts
    if not job_uuid:
        return _reply(bilingual(FAILED, attempt=1, attempts=limit), 500)
    detail = f"{type(error).__name__}: {error}"
    try:
        with runtime().sessions.begin() as session:
            attempts = record_capture_failure(session, job_uuid, detail)
    except SQLAlchemyError as failure:
        return _unavailable(failure)
    if attempts >= limit:
        # The person sees the kind of failure; the details (maybe SQL, paths) stay in the log.
        refusal = CaptureKeepsFailing(attempts, f"server error ({type(error).__name__})")
        return _reply(bilingual(refusal.template, **refusal.params), 422)
    return _reply(bilingual(FAILED, attempt=attempts, attempts=limit), 500)


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
