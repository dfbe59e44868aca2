"""Upload to print (/upload): a document from a laptop without the queue, held like any printed job.

PDF goes straight to the capture path (jobs.capture.capture_job with the runtime's capture policy and
page-counting pool); PostScript, text, JPEG and PNG are converted to PDF first (webui/upload/convert.py).
"""

from __future__ import annotations

import hashlib
import itertools
import shlex
import uuid

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext, lazy_gettext as _l, ngettext
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, HiddenField, IntegerField, SelectField
from wtforms.validators import InputRequired, NumberRange, Regexp
from werkzeug.exceptions import RequestEntityTooLarge

from printrelease.errors import PrintReleaseError
from printrelease.i18n import N_
from printrelease.jobs.capture import CaptureRequest, capture_job
from printrelease.jobs.changes import MAX_COPIES
from printrelease.jobs.models import JobState
from printrelease.printers.service import duplex_available
from printrelease.site.service import site_values
from printrelease.spool import DocumentTooLarge
from webui.auth import login_required
from webui.database import get_session, runtime
from webui.flashing import short
from webui.i18n import language
from webui.jobs import words
from webui.security import csrf
from webui.upload.convert import HEAD_BYTES, PDF, UnreadableUpload, sniff, to_pdf

CHUNK = 64 * 1024

bp = Blueprint("upload", __name__, url_prefix="/upload")


class UploadForm(FlaskForm):
    document = FileField(_l("File"))
    copies = IntegerField(_l("Copies"), default=1, validators=[InputRequired(), NumberRange(1, MAX_COPIES)])
    sides = SelectField(_l("Sides"), default="one-sided")
    monochrome = BooleanField(_l("Print in black and white"))
    # One per form shown: sending the same form twice (a double click, a reload) holds the job once.
    upload_id = HiddenField(validators=[InputRequired(), Regexp(r"^[0-9a-f]{32}$")])


def _form(blank: bool = False) -> UploadForm:
    form = UploadForm(formdata=None) if blank else UploadForm()
    sides = ["one-sided"] + (["two-sided-long-edge", "two-sided-short-edge"]
                             if duplex_available(get_session()) else [])
    form.sides.choices = [(value, gettext(words.SIDES[value])) for value in sides]
    if not form.upload_id.data:
        form.upload_id.data = uuid.uuid4().hex
    return form


def _limit() -> int:
    """The size limit in force (an administrator may have changed it), read on this request's own
    connection: another one would wait for this one's write lock on SQLite."""
    return site_values(get_session(), runtime().settings).max_job_bytes


def _page(form: UploadForm, problem: str | None = None, status: int = 200):
    if status != 200:
        # The next try is another upload (another file, maybe): it must not be taken for a resend of this one.
        form.upload_id.data = uuid.uuid4().hex
    limit = _limit()
    return render_template("upload/index.html", form=form, problem=problem,
                           limit_mb=max(1, limit // 1024**2)), status


@bp.get("")
@login_required
def index():
    return _page(_form())


@bp.post("")
@login_required
def upload_view():
    # Who is sending comes first: nothing of an anonymous body is read. Only then does the document get
    # its own size limit, and only then is the form (token included) parsed, into a temporary file.
    limit = _limit()
    request.max_content_length = limit + 64 * 1024  # the form's other fields and the multipart framing
    try:
        csrf.protect()
        form = _form()
        document = request.files.get("document")
    except RequestEntityTooLarge:
        too_large = gettext("The file is larger than the limit of %(mb)s MB.", mb=max(1, limit // 1024**2))
        return _page(_form(blank=True), too_large, 413)
    if not form.validate_on_submit() or document is None or not document.filename:
        problem = None if form.errors else gettext("Choose a file to print.")
        return _page(form, problem, 400)
    get_session().commit()  # converting takes a while: no transaction (on SQLite, the write lock) meanwhile
    try:
        job, duplicate = _hold(form, document)
    except PrintReleaseError as error:
        return _page(form, error.words(language()), 413 if isinstance(error, DocumentTooLarge) else 422)
    if duplicate:
        flash(gettext("“%(title)s” was already uploaded and is held.", title=short(job.title)), "ok")
    else:
        flash(ngettext("“%(title)s” is held (%(num)s page): release it below, or tap your card at any printer.",
                       "“%(title)s” is held (%(num)s pages): release it below, or tap your card at any printer.",
                       job.pages, title=short(job.title)), "ok")
    return redirect(url_for("jobs.index"), 303)


def _hold(form: UploadForm, document):
    """Capture the upload as the CUPS backend's jobs are captured; returns (job, duplicate)."""
    head = document.stream.read(HEAD_BYTES)
    kind = sniff(head)
    title = document.filename or "upload"
    nonce = hashlib.sha256(f"{g.user.id}:{form.upload_id.data}".encode()).hexdigest()
    options = (f"sides={form.sides.data} print-color-mode={'monochrome' if form.monochrome.data else 'color'} "
               f"job-uuid=web-upload:{nonce} job-originating-host-name={shlex.quote(request.remote_addr or '')}")
    capture_request = CaptureRequest(user=g.user.login, title=title, content_type="application/pdf", options=options,
                                     copies=str(form.copies.data), source_queue="web-upload")
    spool, policy = runtime().spool, runtime().capture_policy
    session = get_session()
    if kind == PDF:
        body = itertools.chain([head], iter(lambda: document.stream.read(CHUNK), b""))
        outcome = capture_job(session, spool, policy, capture_request, body)
    else:
        outcome = _converted(session, spool, policy, capture_request, kind, head, document.stream)
    job = outcome.job
    if job.owner_id != g.user.id:  # a job-uuid is made per user, so this cannot be; never show another's
        session.rollback()
        raise UnreadableUpload(why=N_("it could not be stored"))
    session.commit()
    if job.state == JobState.REJECTED:
        refusal = outcome.refusal
        raise refusal if isinstance(refusal, PrintReleaseError) else UnreadableUpload(why=job.state_reason)
    return job, outcome.duplicate


def _converted(session, spool, policy, capture_request, kind, head, stream):
    """Keep the upload in the spool's temporary folder (swept if the server dies), convert it beside it,
    capture the PDF; both files go whatever happens."""
    stem = spool.tmp / uuid.uuid4().hex
    source, target = stem.with_suffix(".upload"), stem.with_suffix(".pdf")
    try:
        with open(source, "wb") as saved:
            saved.write(head)
            for chunk in iter(lambda: stream.read(CHUNK), b""):
                saved.write(chunk)
        to_pdf(source, kind, target, capture_request.title, policy.max_job_bytes)
        with open(target, "rb") as converted:
            return capture_job(session, spool, policy, capture_request, converted)
    finally:
        source.unlink(missing_ok=True)
        target.unlink(missing_ok=True)
