"""What the administration pages share: the audit record of a change, the answer to a form, paging, date
filters, and forms that carry a CSV file."""

from __future__ import annotations

import functools
from datetime import date, datetime, timedelta

from flask import flash, g, redirect, request, url_for
from flask_babel import gettext, lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from werkzeug.exceptions import RequestEntityTooLarge
from wtforms import BooleanField, HiddenField, SelectField
from wtforms.validators import InputRequired, Length

from printrelease.accounts.roles import has_role
from printrelease.audit.service import record_admin_action
from printrelease.csvinput import UnreadableCsv, decode_csv_as
from printrelease.errors import Invalid, PrintReleaseError
from printrelease.i18n import N_
from printrelease.localtime import start_of_day
from printrelease.paging import Page
from webui.auth import NotAllowed, NotLoggedIn
from webui.database import get_session, runtime
from webui.i18n import language
from webui.security import csrf

MAX_PAGE = 10_000
CSV_LIMIT = 2 * 1024 * 1024  # some 20,000 rows: a province's staff in one file
ENCODINGS = [("", _l("Detect (UTF-8 or CP949)")), ("utf-8", "UTF-8"), ("cp949", _l("CP949 (EUC-KR, Korean Excel)"))]
CODECS = {"utf-8-sig": "UTF-8", "utf-8": "UTF-8", "cp949": "CP949"}


def audited(action: str, target: str = "", detail: str = "") -> None:
    """Record the change this request makes in its own transaction: committed with it or not at all.
    `detail` says what changed and never holds a secret (token, password, card number)."""
    record_admin_action(get_session(), g.user.login, action, target, detail, request.remote_addr or "")


def done(message: str, endpoint: str, **values):
    """Commit the change and its audit record, say so, and go back (303: a reload repeats nothing)."""
    get_session().commit()
    flash(message, "ok")
    return redirect(url_for(endpoint, **values), 303)


def refused(error: PrintReleaseError | str, endpoint: str, **values):
    """Nothing changes: the reason, in the reader's language, on the page the form came from."""
    get_session().rollback()
    flash(error if isinstance(error, str) else error.words(language()), "error")
    return redirect(url_for(endpoint, **values), 303)


def form_problems(form: FlaskForm) -> str:
    """A form's errors on one line, for a form whose fields are on another page (a button in a list)."""
    return " ".join(f"{form[name].label.text}: {' '.join(map(str, errors))}" if name in form else str(errors)
                    for name, errors in form.errors.items())


def page_number() -> int:
    try:
        return min(max(int(request.args.get("page", "1")), 1), MAX_PAGE)
    except ValueError:
        return 1


def page_of(items: list, per_page: int, shown=lambda item: item) -> Page:
    """This request's page of a list a core service gives whole (a site's printers, stations, price rows:
    hundreds at most), each item shown as `shown` makes it."""
    page = page_number()
    part = items[(page - 1) * per_page:page * per_page]
    return Page([shown(item) for item in part], len(items), page, per_page)


def day_range(first: date | None, last: date | None) -> tuple[datetime | None, datetime | None]:
    """[since, until) in UTC for the site's local days `first` to `last`, both included; either may be
    open. Raises Invalid for a day at the calendar's edge (it has no instant in UTC)."""
    zone = runtime().settings.timezone
    try:
        return (start_of_day(first, zone) if first else None,
                start_of_day(last + timedelta(days=1), zone) if last else None)
    except OverflowError:
        raise Invalid(N_("choose a date between the years 1 and 9999")) from None


class TargetForm(FlaskForm):
    """The button of one thing in a list (a printer, a station, a card): its name in a hidden field."""

    name = HiddenField(validators=[InputRequired(), Length(max=255)])


class ConfirmForm(TargetForm):
    """A removal, which cannot be undone: the box beside its button must be ticked."""

    confirm = BooleanField(_l("Yes, remove it"), validators=[InputRequired(message=_l("tick the box to confirm"))])


class CsvForm(FlaskForm):
    file = FileField(_l("CSV file"))
    encoding = SelectField(_l("Encoding"), choices=ENCODINGS, default="")


class CsvNotReadable(Invalid):
    code = "unreadable_csv"
    template = N_("%(file)s cannot be read as %(encoding)s (line %(line)s): choose its encoding, or save it from "
                  "Excel as “CSV UTF-8”")


def read_csv(form: CsvForm) -> tuple[str, str, str]:
    """The text of the form's CSV file, its name and the encoding it was read in ("UTF-8", "CP949")."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise Invalid(N_("choose a CSV file first"))
    name = upload.filename[-200:]
    try:
        text, codec = decode_csv_as(upload.read(), form.encoding.data or None, name)
    except UnreadableCsv as error:
        raise CsvNotReadable(file=name, line=error.params.get("line", 1),
                             encoding=error.params.get("encoding") or "UTF-8 / CP949") from error
    return text, name, CODECS.get(codec, codec.upper())


def file_form(endpoint: str):
    """For a view whose form carries a file (exempted from the app-wide CSRF check for this): an admin's
    request may be CSV_LIMIT bytes, anyone else's stays within the site's small limit; the form's CSRF token
    is checked either way, then the role. A file past the limit goes back to `endpoint` with why."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            if g.get("user") is None:
                raise NotLoggedIn()
            admin = has_role(g.user, "admin")
            if admin:
                request.max_content_length = CSV_LIMIT
            try:
                csrf.protect()  # reads the form, within the limit just set
            except RequestEntityTooLarge:
                if not admin:
                    raise
                return refused(gettext("The file is larger than %(mb)s MB: split it into several files.",
                                       mb=CSV_LIMIT // 1024**2), endpoint)
            if not admin:
                raise NotAllowed(role="admin")
            return view(*args, **kwargs)

        return wrapper

    return decorate
