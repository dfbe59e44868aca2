"""The report form of the finance page: the period, the filters, the grouping and the kind of report.

A GET form (it only reads), so links to a report and to its downloads carry the same query. The choices
of department and printer come from the database; a user is typed as a login (a province has thousands)
and checked to exist, so that a typo is a message rather than an empty report.
"""

from __future__ import annotations

from datetime import date

from flask_babel import gettext, lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import Session
from wtforms import DateField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from printrelease.accounts.models import Department, User
from printrelease.printers.models import Printer
from printrelease.reports.errors import BadPeriod
from printrelease.reports.files import FORMATS
from webui.i18n import language

# The days a report may name: wide enough for any real period, narrow enough that every day of it is an
# instant in UTC on any site's clock (date.min and date.max are not).
EARLIEST, LATEST = date(2000, 1, 1), date(2099, 12, 31)
KINDS = [SelectChoice("summary", _l("Summary")), SelectChoice("detail", _l("Every job")),
         SelectChoice("clicks", _l("Click counts (lease)"))]
GROUPS = [SelectChoice("department", _l("Department")), SelectChoice("user", _l("User")),
          SelectChoice("printer", _l("Printer")), SelectChoice("month", _l("Month")), SelectChoice("day", _l("Day"))]


class ReportForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form that only chooses what to read

    first = DateField(_l("From"), name="from", validators=[InputRequired()])
    last = DateField(_l("To"), name="to", validators=[InputRequired()])
    kind = SelectField(_l("Report"), choices=KINDS, default="summary")
    by = SelectField(_l("Group by"), choices=GROUPS, default="department")
    then = SelectField(_l("Then by"), choices=[SelectChoice("", _l("(nothing more)"))] + GROUPS, default="")
    department = SelectField(_l("Department"), validate_choice=False, default="")
    user = StringField(_l("User (login)"), validators=[Optional(), Length(max=255)])
    printer = SelectField(_l("Printer"), validate_choice=False, default="")

    def __init__(self, session: Session, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.session = session
        everything = [SelectChoice("", gettext("All"))]
        self.department.choices = everything + [
            SelectChoice(code, f"{name} ({code})") for code, name in session.execute(
                select(Department.code, Department.name).order_by(Department.name, Department.code))]
        self.printer.choices = everything + [SelectChoice(name, name) for name in session.scalars(
            select(Printer.name).order_by(Printer.name))]

    @property
    def grouping(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(d for d in (self.by.data, self.then.data) if d))

    def validate_first(self, field) -> None:
        _within_the_calendar(field)

    def validate_last(self, field) -> None:
        _within_the_calendar(field)
        if self.first.data and field.data and field.data < self.first.data:
            raise ValidationError(BadPeriod(first=self.first.data.isoformat(), last=field.data.isoformat())
                                  .words(language()))

    def validate_department(self, field) -> None:
        if field.data and field.data not in {choice.value for choice in field.choices}:
            raise ValidationError(gettext("There is no department “%(code)s”.", code=field.data))

    def validate_printer(self, field) -> None:
        if field.data and field.data not in {choice.value for choice in field.choices}:
            raise ValidationError(gettext("There is no printer “%(name)s”.", name=field.data))

    def validate_user(self, field) -> None:
        field.data = (field.data or "").strip()
        if field.data and self.session.scalar(select(User.id).where(User.login == field.data)) is None:
            raise ValidationError(gettext("There is no user with the login “%(login)s”.", login=field.data))


def _within_the_calendar(field) -> None:
    if field.data and not EARLIEST <= field.data <= LATEST:
        raise ValidationError(gettext("Choose a day from %(first)s to %(last)s.", first=EARLIEST.isoformat(),
                                      last=LATEST.isoformat()))


def chosen_format(text: str | None) -> str | None:
    """The download's format if it is one the reports have."""
    return text if text in FORMATS else None
