"""The forms of My jobs."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, SelectField
from wtforms.validators import InputRequired, NumberRange, Optional

from printrelease.jobs.changes import MAX_COPIES


class OptionsForm(FlaskForm):
    copies = IntegerField(_l("Copies"), validators=[InputRequired(), NumberRange(1, MAX_COPIES)])
    sides = SelectField(_l("Sides"))
    monochrome = BooleanField(_l("Print in black and white"))


class HistoryFilter(FlaskForm):
    class Meta:
        csrf = False  # a GET form that only filters what the page shows

    since = DateField(_l("From"), validators=[Optional()])
    until = DateField(_l("To"), validators=[Optional()])
