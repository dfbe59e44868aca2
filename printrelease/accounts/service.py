"""Creating, finding, changing and importing users; sessions come from the caller, who commits."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from printrelease.accounts.errors import BadUserRecord, UnknownUser
from printrelease.accounts.models import Department, User
from printrelease.accounts.passwords import hash_password
from printrelease.accounts.pins import hash_pin
from printrelease.accounts.sessions import end_user_sessions
from printrelease.errors import Invalid
from printrelease.accounts.roles import BadRole, check_role
from printrelease.i18n import LANGUAGES, N_


def get_user(session: Session, login: str) -> User:
    user = session.scalar(select(User).where(User.login == login))
    if user is None:
        raise UnknownUser(login)
    return user


def find_user(session: Session, login: str) -> User | None:
    return session.scalar(select(User).where(User.login == login))


def check_login(login: str) -> str:
    """`login` stripped, if it can be a login name at all (printable, at most 255 characters)."""
    login = login.strip()
    if not login:
        raise BadUserRecord(N_("a user needs a login name"))
    if len(login) > 255 or not login.isprintable():
        raise BadUserRecord(N_("'%(login)s...' is not a usable login name"), login=login[:40].replace("\x00", ""))
    return login


# What each column keeps: a longer or unprintable value (a NUL, say) is refused before it reaches SQL.
FIELDS = {
    "display_name": (200, N_("the display name '%(value)s...' is too long (at most %(limit)s characters) or not "
                             "printable")),
    "email": (320, N_("the e-mail address '%(value)s...' is too long (at most %(limit)s characters) or not "
                      "printable")),
    "department_code": (64, N_("the department code '%(value)s...' is too long (at most %(limit)s characters) or "
                               "not printable")),
    "department_name": (200, N_("the department name '%(value)s...' is too long (at most %(limit)s characters) or "
                                "not printable")),
}


def _checked(field: str, value: str | None) -> str | None:
    limit, template = FIELDS[field]
    if value is not None and (len(value) > limit or not value.isprintable()):
        raise BadUserRecord(template, value=value[:40].replace("\x00", ""), limit=limit)
    return value


def fitted(field: str, value: str | None) -> str | None:
    """A value from elsewhere (the directory) as far as its column holds it: what is not printable (a
    newline, a tab) becomes a space, and the rest is cut at the column's length. An e-mail address cut
    short would be someone else's, or nobody's: one that does not fit is left out."""
    limit, _template = FIELDS[field]
    if value is None:
        return None
    value = " ".join("".join(c if c.isprintable() else " " for c in value).split())
    if field == "email" and len(value) > limit:
        return None
    return value[:limit] or None


def set_pin(session: Session, login: str, pin: str | None) -> User:
    """Set the user's station PIN (asked at every station once set), or remove it with None."""
    user = get_user(session, login)
    user.pin_hash = hash_pin(pin) if pin is not None else None
    return user


def set_password(session: Session, login: str, password: str | None) -> User:
    """Set the user's web password, or remove it with None (they can then no longer log in); either way
    every session of theirs ends, as whoever knew the old password may be logged in."""
    user = get_user(session, login)
    user.password_hash = hash_password(password) if password is not None else None
    end_user_sessions(session, user)
    return user


def set_active(session: Session, login: str, active: bool) -> User:
    """Enable or disable a user: a disabled user's cards release nothing and they cannot log in."""
    user = get_user(session, login)
    user.is_active = active
    if not active:
        end_user_sessions(session, user)
    return user


def set_role(session: Session, login: str, role: str) -> User:
    """Make `login` a user, finance or admin (see accounts/roles.py)."""
    user = get_user(session, login)
    user.role = check_role(role)
    return user


def set_language(session: Session, user: User, language: str | None) -> User:
    """Remember the language `user` chose ("ko" or "en"), or forget it with None (the browser's applies)."""
    if language is not None and language not in LANGUAGES:
        raise Invalid(N_("'%(wanted)s' is not a language of this site (%(languages)s)"),
                      wanted=str(language)[:20], languages=", ".join(LANGUAGES))
    user.language = language
    return user


def ensure_department(session: Session, code: str, name: str | None = None) -> Department:
    department = session.scalar(select(Department).where(Department.code == code))
    if department is None:
        department = Department(code=code, name=name or code)
        session.add(department)
        session.flush()
    elif name and department.name != name:
        department.name = name
    return department


MAX_DEPARTMENTS = 5000  # a list to choose from, for a province's departments


def list_departments(session: Session) -> list[Department]:
    return list(session.scalars(select(Department).order_by(Department.code).limit(MAX_DEPARTMENTS)))


def set_department(session: Session, login: str, code: str | None, name: str | None = None) -> User:
    """Charge `login`'s printing to the department `code` from now on (a new code needs its `name`), or to
    no department with an empty code. Printed jobs keep the department they were charged to."""
    user = get_user(session, login)
    code, name = (code or "").strip(), (name or "").strip()
    if not code:
        user.department = None
        return user
    if len(code) > 64 or len(name) > 200 or not (code + name).isprintable():
        raise BadUserRecord(N_("'%(code)s' is not a usable department code and name"), code=code[:40])
    if name or session.scalar(select(Department.id).where(Department.code == code)) is not None:
        user.department = ensure_department(session, code, name or None)
        return user
    raise BadUserRecord(N_("there is no department %(code)s yet: give its name too to make it"), code=code)


def add_user(
    session: Session,
    login: str,
    display_name: str | None = None,
    email: str | None = None,
    department_code: str | None = None,
    department_name: str | None = None,
    role: str | None = None,
) -> User:
    """Create the user or update the fields given; login names are taken exactly as CUPS reports them."""
    login = check_login(login)
    display_name, email = _checked("display_name", display_name), _checked("email", email)
    department_code, department_name = _checked("department_code", department_code), \
        _checked("department_name", department_name)
    user = find_user(session, login)
    if user is None:
        user = User(login=login, display_name=display_name or login)
        session.add(user)
    elif display_name:
        user.display_name = display_name
    if email:
        user.email = email
    if department_code:
        user.department = ensure_department(session, department_code, department_name)
    if role:
        user.role = check_role(role)
    session.flush()
    return user


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    cards: int = 0


IMPORT_COLUMNS = ("login", "display_name", "email", "department", "department_name", "card", "role")


def import_users(session: Session, text: str, card_key: bytes | None = None) -> ImportResult:
    """Import a CSV with a header row naming some of IMPORT_COLUMNS; all rows or none.

    A `card` cell holds one or more card numbers separated by spaces, each as `cards add` takes it; a
    `role` cell user, finance or admin (empty: unchanged, "user" for a new user).
    """
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    if not reader.fieldnames or "login" not in reader.fieldnames:
        raise BadUserRecord(N_("the CSV needs a header row with at least a 'login' column"))
    unknown = set(reader.fieldnames) - set(IMPORT_COLUMNS)
    if unknown:
        raise BadUserRecord(N_("unknown column(s): %(columns)s"), columns=", ".join(sorted(unknown)))
    result = ImportResult()
    for line, row in enumerate(reader, start=2):
        login = (row.get("login") or "").strip()
        if not login:
            raise BadUserRecord(N_("line %(line)s: empty login"), line=line)
        try:
            existed = find_user(session, check_login(login)) is not None
            add_user(
                session,
                login,
                display_name=(row.get("display_name") or "").strip() or None,
                email=(row.get("email") or "").strip() or None,
                department_code=(row.get("department") or "").strip() or None,
                department_name=(row.get("department_name") or "").strip() or None,
                role=(row.get("role") or "").strip().lower() or None,
            )
        except (BadRole, BadUserRecord) as error:
            raise BadUserRecord(N_("line %(line)s: %(problem)s"), line=line, problem=error) from error
        for number in (row.get("card") or "").split():
            if card_key is None:
                raise BadUserRecord(N_("card numbers can only be imported with the card key configured"))
            from printrelease.cards.service import add_card

            try:
                add_card(session, card_key, login, number, label="imported")
            except Invalid as error:
                raise BadUserRecord(N_("line %(line)s: %(problem)s"), line=line, problem=error) from error
            result.cards += 1
        if existed:
            result.updated += 1
        else:
            result.created += 1
    return result
