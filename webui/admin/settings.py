"""Site settings: how long jobs are held and the largest document taken; a value set here overrides the
configuration's until it is reset. The core checks the values; every server sees a change within seconds."""

from __future__ import annotations

from flask import g, render_template
from flask_babel import gettext, lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import InputRequired, Length

from printrelease.errors import PrintReleaseError
from printrelease.site.service import EDITABLE, MIB, reset_setting, set_setting, site_values, stored_settings
from webui.admin import bp
from webui.admin.common import audited, done, form_problems, refused
from webui.auth import role_required
from webui.database import get_session, runtime
from webui.errors import status_for
from webui.i18n import language

GIB = 1024 * MIB
LABELS = {"hold_hours": _l("Hold jobs for (hours)"), "max_job_bytes": _l("Largest document taken")}
HINTS = {"hold_hours": _l("From 0.25 to 2160 hours (90 days). Applies to jobs captured from now on."),
         "max_job_bytes": _l("A size such as 200M or 1G, from 1M to 64G. Larger documents are refused with a reason.")}


class SettingForm(FlaskForm):
    name = SelectField(choices=list(EDITABLE), validators=[InputRequired()])
    value = StringField(validators=[InputRequired(), Length(max=40)])


class ResetForm(FlaskForm):
    name = SelectField(choices=list(EDITABLE), validators=[InputRequired()])


def size_text(size: int) -> str:
    """1073741824 -> "1G", 209715200 -> "200M": as an administrator types it."""
    for unit, factor in (("G", GIB), ("M", MIB)):
        if size % factor == 0:
            return f"{size // factor}{unit}"
    return str(size)


def _page(status: int = 200, problem: tuple[str, str] | None = None, typed: dict | None = None):
    session = get_session()
    values, stored = site_values(session, runtime().settings), stored_settings(session)
    shown = {"hold_hours": f"{values.hold_time.total_seconds() / 3600:g}",
             "max_job_bytes": size_text(values.max_job_bytes), **(typed or {})}
    settings = [{"name": name, "label": LABELS[name], "hint": HINTS[name], "value": shown[name],
                 "row": stored.get(name), "problem": problem[1] if problem and problem[0] == name else None}
                for name in EDITABLE]
    return render_template("admin/settings.html", settings=settings, values=values), status


@bp.get("/settings")
@role_required("admin")
def settings():
    return _page()


@bp.post("/settings")
@role_required("admin")
def settings_set():
    form = SettingForm()
    if not form.validate():
        name = form.name.data if form.name.data in EDITABLE else ""
        return _page(400, (name, form_problems(form)), {name: form.value.data or ""})
    session = get_session()
    try:
        row = set_setting(session, form.name.data, form.value.data, g.user.login)
    except PrintReleaseError as error:
        session.rollback()
        return _page(status_for(error), (form.name.data, error.words(language())), {form.name.data: form.value.data})
    audited("settings.set", row.name, row.value)
    answer = done(gettext("%(setting)s is now %(value)s.", setting=LABELS[row.name],
                          value=size_text(int(row.value)) if row.name == "max_job_bytes" else row.value),
                  "admin.settings")
    runtime().site_settings.forget()  # this process at once; the others within the cache's few seconds
    return answer


@bp.post("/settings/reset")
@role_required("admin")
def settings_reset():
    form = ResetForm()
    if not form.validate():
        return refused(form_problems(form), "admin.settings")
    if reset_setting(get_session(), form.name.data):
        audited("settings.reset", form.name.data)
    answer = done(gettext("%(setting)s: the configuration's value applies again.", setting=LABELS[form.name.data]),
                  "admin.settings")
    runtime().site_settings.forget()
    return answer
