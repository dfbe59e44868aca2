"""The audit trail: every administrative change, newest first, filtered by who, what and dates, by page."""

from __future__ import annotations

from flask import render_template, request
from flask_babel import gettext, lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.validators import Length, Optional

from printrelease.audit.service import audit_actions, audit_trail
from printrelease.errors import PrintReleaseError
from webui.admin import bp
from webui.admin.common import day_range, page_number
from webui.auth import role_required
from webui.database import get_session
from webui.i18n import language

PER_PAGE = 50
FILTERS = ("actor", "action", "since", "until")


class TrailFilter(FlaskForm):
    class Meta:
        csrf = False  # a GET form that only chooses what the page shows

    actor = StringField(_l("Who"), validators=[Optional(), Length(max=255)])
    action = SelectField(_l("What"), validators=[Optional()])
    since = DateField(_l("From"), validators=[Optional()])
    until = DateField(_l("To"), validators=[Optional()])


def _actions() -> list[tuple[str, str]]:
    """Every action in the trail, each area's first ("users." for all of users.*)."""
    actions = audit_actions(get_session())
    areas = sorted({action.split(".")[0] + "." for action in actions if "." in action})
    choices = [("", gettext("everything"))]
    for area in areas:
        choices.append((area, gettext("%(area)s (all)", area=area.rstrip("."))))
        choices += [(action, action) for action in actions if action.startswith(area)]
    return choices + [(action, action) for action in actions if "." not in action]


@bp.get("/audit")
@role_required("admin")
def audit():
    form = TrailFilter(request.args)
    form.action.choices = _actions()
    valid = form.validate()
    found, problem = None, None
    if valid:
        try:
            since, until = day_range(form.since.data, form.until.data)
            found = audit_trail(get_session(), (form.actor.data or "").strip() or None, form.action.data or None,
                                since, until, page_number(), PER_PAGE)
        except PrintReleaseError as error:
            valid, problem = False, error.words(language())
    filters = {key: request.args[key] for key in FILTERS if valid and request.args.get(key)}
    return render_template("admin/audit.html", form=form, found=found, filters=filters, problem=problem), \
        200 if valid else 400
