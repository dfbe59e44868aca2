"""Korean first, English too: Flask-Babel over printrelease's own catalogues, the language switch, and the
filters that write times and money the way each language does."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from babel.dates import parse_pattern
from flask import Blueprint, Flask, current_app, g, redirect, request
from flask_babel import Babel, get_locale, get_timezone, get_translations
from markupsafe import Markup

from printrelease.accounts.roles import has_role
from printrelease.accounts.service import set_language
from printrelease.db import utcnow
from printrelease.i18n import CATALOGUES, DEFAULT_LANGUAGE, LANGUAGES, normalise
from printrelease.prices.money import format_money
from webui.database import get_session

COOKIE = "lang"
COOKIE_AGE = 365 * 24 * 3600
NAMES = {"ko": "한국어", "en": "English"}  # each in its own language, as language menus show them
# Babel's Korean short time format writes "PM"; these are what Korean and English readers expect.
PATTERNS = {"ko": "yyyy. M. d. HH:mm", "en": "d MMM yyyy, HH:mm"}
DAY_PATTERNS = {"ko": "yyyy. M. d.", "en": "d MMM yyyy"}
# Parsed once: Flask-Babel's format_datetime finds the pattern, the locale and the zone again for every
# instant, at three times the cost, and a page of history writes some forty.
PARSED = {language: parse_pattern(pattern) for language, pattern in PATTERNS.items()}
DAY_PARSED = {language: parse_pattern(pattern) for language, pattern in DAY_PATTERNS.items()}

bp = Blueprint("language", __name__)


def select_locale() -> str:
    """The user's saved choice, then the cookie (anonymous visitors), then the browser's, then Korean."""
    user = g.get("user")
    chosen = (normalise(user.language) if user is not None and user.language else None) or request.cookies.get(COOKIE)
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(LANGUAGES, default=DEFAULT_LANGUAGE)


def language() -> str:
    """This request's language: "ko" or "en"."""
    locale = get_locale()
    return locale.language if locale is not None and locale.language in LANGUAGES else DEFAULT_LANGUAGE


class Wording:
    """This request's language, clock and catalogue, found once: for a page that writes many rows. Each
    lookup through Flask-Babel costs a few µs, and every row of My jobs made eight (BENCHMARKS.md, web pages)."""

    def __init__(self):
        locale = get_locale()
        self.language = locale.language if locale is not None and locale.language in LANGUAGES else DEFAULT_LANGUAGE
        self.locale, self.zone, self.catalogue = locale or DEFAULT_LANGUAGE, get_timezone(), _catalogue()

    def gettext(self, text: str, **values) -> str:
        found = self.catalogue.ugettext(text)
        return found % values if values else found

    def when(self, instant: datetime | None) -> str:
        return self._local(instant, PARSED) if instant else ""

    def day(self, instant: datetime | None) -> str:
        return self._local(instant, DAY_PARSED) if instant else ""

    def _local(self, instant: datetime, patterns: dict) -> str:
        """`instant` on the site's clock (a naive one is UTC, as Flask-Babel reads it) in this language."""
        if instant.tzinfo is None:
            instant = instant.replace(tzinfo=timezone.utc)
        return patterns[self.language].apply(instant.astimezone(self.zone), self.locale)

    def time_left(self, deadline: datetime | None, now: datetime | None = None) -> str:
        """"3 h 20 min" until `deadline`; "expiring" once it has passed (the sweep retires it shortly)."""
        if deadline is None:
            return ""
        left = deadline - (now or utcnow())
        if left <= timedelta(0):
            return self.gettext("expiring now")
        minutes = int(left.total_seconds() // 60)
        if minutes < 60:
            return self.gettext("%(minutes)s min", minutes=max(minutes, 1))
        return self.gettext("%(hours)s h %(minutes)s min", hours=minutes // 60, minutes=minutes % 60)

    def money(self, minor: int | None, currency: str | None) -> str:
        return format_money(minor, currency, self.language) if currency and minor is not None else ""


# The templates' filters, for a value or two on a page.
def when(instant: datetime | None) -> str:
    return Wording().when(instant) if instant else ""


def day(instant: datetime | None) -> str:
    return Wording().day(instant) if instant else ""


def time_left(deadline: datetime | None, now: datetime | None = None) -> str:
    return Wording().time_left(deadline, now) if deadline is not None else ""


def money(minor: int | None, currency: str | None) -> str:
    return format_money(minor, currency, language()) if currency and minor is not None else ""


class PageWords:
    """The templates' `_()`, `ngettext()` and `word()` over one catalogue: bound once per page drawn (the
    context processor below), so that each of a page's some thirty words is one plain call, without
    looking for the request's language again (four context-local lookups each, BENCHMARKS.md, web pages).
    What Jinja's "newstyle" gettext does: the translation is the page's own markup, the values are
    escaped into it, `%` always applies. Every template is HTML, so always escaped."""

    def __init__(self, catalogue):
        self.catalogue = catalogue

    def gettext(self, text: str, /, **values) -> Markup:
        return Markup(self.catalogue.ugettext(text)) % values

    def ngettext(self, singular: str, plural: str, count: int, /, **values) -> Markup:
        values.setdefault("num", count)
        return Markup(self.catalogue.ungettext(singular, plural, count)) % values

    def word(self, table: dict[str, str], value: str) -> str:
        """`word(SIDES, job.sides)`: `table`'s text for `value` (marked with N_) in this language; a value
        the table does not know as it is, escaped as any value is (never read as markup or as a format,
        which `_(table.get(value, value))` did)."""
        text = table.get(value)
        return value if text is None else self.catalogue.ugettext(text)


# The same as globals, for a template drawn without the context processor (a macro imported without
# the page's context): each looks the request's catalogue up.
def word(table: dict[str, str], value: str) -> str:
    return PageWords(_catalogue()).word(table, value)


def page_gettext(text: str, /, **values) -> Markup:
    return PageWords(_catalogue()).gettext(text, **values)


def page_ngettext(singular: str, plural: str, count: int, /, **values) -> Markup:
    return PageWords(_catalogue()).ngettext(singular, plural, count, **values)


def _catalogue():
    """This request's translations, found once per language: Flask-Babel finds them again for every string
    (about 10 µs each), and a page of held jobs words some eighty (BENCHMARKS.md, web pages)."""
    locale = get_locale()
    found = g.get("_catalogue")
    if found is None or found[0] is not locale:  # a force_locale() block asks for another language
        found = g._catalogue = (locale, get_translations())
    return found[1]


def translate_all(table: dict[str, str]) -> dict[str, str]:
    """`table`'s texts (marked with N_) in this request's language, for a page that says them on many rows."""
    catalogue = _catalogue()
    return {key: catalogue.ugettext(text) for key, text in table.items()}


@bp.post("/language")
def switch():
    """Remember the language: on the user when logged in, in a cookie always (the login page needs it)."""
    from webui.auth import safe_next

    chosen = request.form.get("language")
    target = safe_next(request.form.get("next"))
    response = redirect(target, 303)
    if chosen in LANGUAGES:
        response.set_cookie(COOKIE, chosen, max_age=COOKIE_AGE, samesite="Lax", httponly=True,
                            secure=current_app.config["SESSION_COOKIE_SECURE"])
        if g.user is not None:
            db = get_session()
            set_language(db, g.user, chosen)
            db.commit()
    return response


def init_app(app: Flask, timezone: str) -> None:
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(CATALOGUES))
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", timezone)
    Babel(app, locale_selector=select_locale)
    # Jinja's i18n extension (which Flask-Babel loads) compiles `{{ _("...") }}` to calls of these globals.
    app.jinja_env.globals.update(_=page_gettext, gettext=page_gettext, ngettext=page_ngettext, word=word)
    app.jinja_env.filters.update(when=when, day=day, time_left=time_left, money=money)
    app.register_blueprint(bp)

    @app.context_processor
    def _words():
        # Run for each page drawn, inside any force_locale() around it: its words are that language's.
        words = PageWords(_catalogue())
        return {"language": language(), "languages": [(code, NAMES[code]) for code in LANGUAGES],
                "has_role": has_role, "_": words.gettext, "gettext": words.gettext, "ngettext": words.ngettext,
                "word": words.word}
