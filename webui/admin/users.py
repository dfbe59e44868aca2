"""Users: searched and paged (a province has thousands), imported from a CSV, and one user's role,
department, account state and password."""

from __future__ import annotations

import secrets

from flask import abort, g, render_template, request
from flask_babel import gettext, lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import EqualTo, InputRequired, Length, Optional

from printrelease.accounts.errors import UnknownUser
from printrelease.accounts.listing import find_users, last_logins
from printrelease.accounts.models import User
from printrelease.accounts.passwords import MAX_LENGTH, MIN_LENGTH
from printrelease.accounts.roles import ROLES
from printrelease.accounts.service import (IMPORT_COLUMNS, get_user, import_users, list_departments, set_active,
                                           set_department, set_password, set_role)
from printrelease.cards.service import list_cards
from printrelease.errors import PrintReleaseError
from printrelease.i18n import N_
from webui.admin import bp
from webui.admin.common import CsvForm, audited, done, file_form, form_problems, page_number, read_csv, refused
from webui.auth import role_required
from webui.database import get_session, runtime
from webui.errors import status_for
from webui.i18n import language

PER_PAGE = 50
ROLE_WORDS = {"user": N_("User: their own jobs and cards"), "finance": N_("Finance: reports and usage as well"),
              "admin": N_("Administrator: everything")}
ROLE_NAMES = {"user": N_("User"), "finance": N_("Finance"), "admin": N_("Administrator")}
PASSWORD_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"  # no 0/O, 1/l/I to misread
PASSWORD_LENGTH = 14


def _roles():
    return [(role, gettext(ROLE_WORDS[role])) for role in ROLES]


class UserSearch(FlaskForm):
    class Meta:
        csrf = False  # a GET form that only chooses what the page shows

    q = StringField(_l("Name, login, email or department"), validators=[Optional(), Length(max=200)])
    role = SelectField(_l("Role"), validators=[Optional()])
    state = SelectField(_l("Account"), validators=[Optional()],
                        choices=[("", _l("all")), ("active", _l("active")), ("disabled", _l("disabled"))])


class LoginField(FlaskForm):
    login = HiddenField(validators=[InputRequired(), Length(max=255)])


class RoleForm(LoginField):
    role = SelectField(_l("Role"), validators=[InputRequired()])


class DepartmentForm(LoginField):
    code = StringField(_l("Department code"), validators=[Optional(), Length(max=64)])
    name = StringField(_l("Department name (for a new code)"), validators=[Optional(), Length(max=200)])


class ActiveForm(LoginField):
    active = BooleanField()


class PasswordForm(LoginField):
    password = PasswordField(_l("New password"), validators=[Optional(), Length(MIN_LENGTH, MAX_LENGTH)])
    confirm = PasswordField(_l("The new password again"),
                            validators=[EqualTo("password", message=_l("the two passwords differ"))])
    generate = BooleanField()


def _list(status: int = 200, problem: str | None = None, upload: CsvForm | None = None):
    search = UserSearch(request.args)
    search.role.choices = [("", gettext("all"))] + [(role, gettext(ROLE_NAMES[role])) for role in ROLES]
    valid = search.validate()
    words, role, state = (search.q.data or "", search.role.data or None, search.state.data) if valid else ("", None, "")
    found = find_users(get_session(), words, role, {"active": True, "disabled": False}.get(state), page_number(),
                       PER_PAGE)
    filters = {key: request.args[key] for key in ("q", "role", "state") if valid and request.args.get(key)}
    return render_template("admin/users.html", search=search, found=found, filters=filters, problem=problem,
                           role_names=ROLE_NAMES,
                           upload=upload or CsvForm(formdata=None), columns=IMPORT_COLUMNS), \
        status if valid else 400


@bp.get("/users")
@role_required("admin")
def users():
    return _list()


@bp.post("/users/import")
@file_form("admin.users")
def import_users_view():
    form = CsvForm()
    session = get_session()
    try:
        text, filename, encoding = read_csv(form)
        result = import_users(session, text, card_key=runtime().card_key)
    except PrintReleaseError as error:
        session.rollback()
        return _list(status_for(error), gettext("Nothing was imported: %(why)s", why=error.words(language())), form)
    audited("users.import", filename, f"{encoding}: {result.created} created, {result.updated} updated, "
            f"{result.cards} card(s)")
    return done(gettext("%(file)s (read as %(encoding)s): %(created)s users created, %(updated)s updated, %(cards)s "
                        "cards added.", file=filename, encoding=encoding, created=result.created,
                        updated=result.updated, cards=result.cards), "admin.users")


def directory_user(user: User) -> bool:
    """Whether the user signs in with the directory's password (none is kept here for them)."""
    return runtime().settings.ldap is not None and user.password_hash is None


@bp.get("/users/user")
@role_required("admin")
def user():
    session = get_session()
    try:
        found = get_user(session, request.args.get("login", "")[:255])
    except UnknownUser:
        abort(404)
    role = RoleForm(formdata=None, login=found.login, role=found.role)
    role.role.choices = _roles()
    department = DepartmentForm(formdata=None, login=found.login,
                                code=found.department.code if found.department else "")
    last_login = last_logins(session, [found.login]).get(found.login)
    return render_template("admin/user.html", user=found, last_login=last_login,
                           cards=list_cards(session, found.login), directory=directory_user(found), role=role,
                           department=department, departments=list_departments(session),
                           password=PasswordForm(formdata=None, login=found.login), role_names=ROLE_NAMES,
                           myself=found.id == g.user.id)


def _form(kind):
    form = kind()
    if isinstance(form, RoleForm):
        form.role.choices = _roles()
    if not form.validate():
        return form, refused(form_problems(form), "admin.user", login=form.login.data)
    return form, None


@bp.post("/users/role")
@role_required("admin")
def user_role():
    form, answer = _form(RoleForm)
    if answer:
        return answer
    login = form.login.data
    if login == g.user.login and form.role.data != "admin":
        return refused(gettext("You cannot take away your own administration rights: ask another administrator."),
                       "admin.user", login=login)
    before = get_user(get_session(), login).role
    set_role(get_session(), login, form.role.data)
    audited("users.set_role", login, f"{before} -> {form.role.data}")
    return done(gettext("%(login)s: %(role)s.", login=login, role=gettext(ROLE_WORDS[form.role.data])), "admin.user",
                login=login)


@bp.post("/users/department")
@role_required("admin")
def user_department():
    form, answer = _form(DepartmentForm)
    if answer:
        return answer
    login = form.login.data
    try:
        found = set_department(get_session(), login, form.code.data, form.name.data)
    except PrintReleaseError as error:
        return refused(error, "admin.user", login=login)
    department = found.department
    audited("users.set_department", login, f"{department.code} ({department.name})" if department else "none")
    message = (gettext("%(login)s's printing is charged to %(department)s from now on.", login=login,
                       department=department.name) if department else
               gettext("%(login)s's printing is charged to no department from now on.", login=login))
    return done(message, "admin.user", login=login)


@bp.post("/users/active")
@role_required("admin")
def user_active():
    form, answer = _form(ActiveForm)
    if answer:
        return answer
    login = form.login.data
    if login == g.user.login and not form.active.data:
        return refused(gettext("You cannot disable your own account: ask another administrator."), "admin.user",
                       login=login)
    set_active(get_session(), login, form.active.data)
    audited("users.enable" if form.active.data else "users.disable", login)
    message = (gettext("%(login)s is enabled again.", login=login) if form.active.data else
               gettext("%(login)s is disabled: their cards release nothing, they are logged out everywhere, and "
                       "their held jobs stay until they expire.", login=login))
    return done(message, "admin.user", login=login)


@bp.post("/users/password")
@role_required("admin")
def user_password():
    form, answer = _form(PasswordForm)
    if answer:
        return answer
    login = form.login.data
    session = get_session()
    found = get_user(session, login)
    if directory_user(found):
        return refused(gettext("%(login)s signs in with the directory's password, which is not kept here: change it "
                               "in the directory.", login=login), "admin.user", login=login)
    if form.generate.data:
        password = "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(PASSWORD_LENGTH))
    elif form.password.data:
        password = form.password.data
    else:
        return refused(gettext("Type the new password twice, or generate one."), "admin.user", login=login)
    set_password(session, login, password)
    audited("users.set_password", login, "generated" if form.generate.data else "typed by the administrator")
    if not form.generate.data:
        return done(gettext("%(login)s has a new password and is logged out everywhere.", login=login), "admin.user",
                    login=login)
    session.commit()
    # Shown in this answer only: never in a URL, a flash message (the session cookie) or the trail.
    return render_template("admin/password.html", user=found, password=password, myself=found.id == g.user.id)
