"""Usage corrections: find a printed job's usage row (by job, user, dates), and refund or correct it with a
reason. A correction never edits a row: it is a new row that refers to the printed one (the core's
`correct_usage`); the page shows both and the job's net figures."""

from __future__ import annotations

from flask import abort, g, render_template, request
from flask_babel import gettext, lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, HiddenField, IntegerField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from printrelease.db import MAX_ID
from printrelease.errors import PrintReleaseError
from printrelease.prices.money import parse_amount
from printrelease.usage.errors import UnknownUsageRecord
from printrelease.usage.service import correct_usage, corrections_of, find_usage, get_record, net_figures
from webui.admin import bp
from webui.admin.common import audited, day_range, done, page_number
from webui.auth import role_required
from webui.database import get_session, runtime
from webui.errors import status_for
from webui.i18n import language
from webui.jobs.words import SIDES
from webui.security import row_id

PER_PAGE = 50
FIGURES = ("pages", "sheets", "color_impressions", "mono_impressions")


class UsageSearch(FlaskForm):
    class Meta:
        csrf = False  # a GET form that only chooses what the page shows

    job = IntegerField(_l("Job number"), validators=[Optional(), NumberRange(1, MAX_ID)])
    user = StringField(_l("User's login"), validators=[Optional(), Length(max=255)])
    since = DateField(_l("From"), validators=[Optional()])
    until = DateField(_l("To"), validators=[Optional()])


def _count(label):
    return IntegerField(label, validators=[Optional(), NumberRange(0, 10**9)])


class CorrectionForm(FlaskForm):
    record = HiddenField(validators=[InputRequired()])
    refund = BooleanField(_l("Refund the whole job (everything to zero)"))
    pages = _count(_l("Pages"))
    sheets = _count(_l("Sheets"))
    color_impressions = _count(_l("Colour sides"))
    mono_impressions = _count(_l("Black and white sides"))
    cost = StringField(_l("Cost"), validators=[Optional(), Length(max=24)])
    reason = TextAreaField(_l("Reason"), validators=[InputRequired(), Length(max=2000)])

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        figures = [self[name].data for name in FIGURES] + [self.cost.data or None]
        if self.refund.data == any(value is not None for value in figures):
            self.refund.errors = [gettext("Tick the refund, or give the figures the job should have (not both).")]
            return False
        return True


@bp.get("/usage")
@role_required("admin")
def usage():
    form = UsageSearch(request.args)
    valid = form.validate()
    found, problem = None, None
    if valid and any(request.args.get(key) for key in ("job", "user", "since", "until")):
        try:
            since, until = day_range(form.since.data, form.until.data)
            found = find_usage(get_session(), form.job.data, (form.user.data or "").strip() or None, since, until,
                               page_number(), PER_PAGE)
        except PrintReleaseError as error:
            valid, problem = False, error.words(language())
    filters = {key: request.args[key] for key in ("job", "user", "since", "until") if valid and request.args.get(key)}
    return render_template("admin/usage.html", form=form, found=found, filters=filters, problem=problem,
                           currency=runtime().settings.currency), 200 if valid else 400


def _record_page(record_id: int, form: CorrectionForm | None = None, problem: str | None = None, status: int = 200):
    session = get_session()
    try:
        named = get_record(session, record_id)
    except UnknownUsageRecord:
        abort(404)
    original = get_record(session, named.original_id or named.id)
    form = form or CorrectionForm(formdata=None, record=original.id)
    return render_template("admin/usage_record.html", original=original,
                           corrections=corrections_of(session, original.id), net=net_figures(session, original.id),
                           form=form, problem=problem,
                           currency=original.currency or runtime().settings.currency, sides=SIDES), status


@bp.get("/usage/record")
@role_required("admin")
def usage_record():
    record_id = row_id(request.args.get("id"))
    if record_id is None:
        abort(404)
    return _record_page(record_id)


@bp.post("/usage/correct")
@role_required("admin")
def usage_correct():
    form = CorrectionForm()
    record_id = row_id(form.record.data)
    if record_id is None:
        abort(404)
    if not form.validate():
        return _record_page(record_id, form, status=400)
    session = get_session()
    reason = form.reason.data.strip()
    try:
        currency = get_record(session, record_id).currency or runtime().settings.currency
        cost = parse_amount(form.cost.data, currency) if form.cost.data else None
        row = correct_usage(session, record_id, reason, g.user.login, refund=form.refund.data, cost=cost,
                            **{name: form[name].data for name in FIGURES})
    except UnknownUsageRecord:
        abort(404)
    except PrintReleaseError as error:
        session.rollback()
        return _record_page(record_id, form, error.words(language()), status_for(error))
    kind = "refund" if form.refund.data else "correction"
    audited("usage.correct", f"usage record {row.original_id}", f"{kind} {row.id}: {reason}")
    return done(gettext("The correction is recorded as a new row; the printed row stays as it was."),
                "admin.usage_record", id=row.original_id)
