"""Words in the user's language: one set of gettext catalogues, Korean first and English too, for every edge.

Messages are written in English in the code (the msgid) and marked with `N_` where they are defined;
they are translated only where they are shown: a web page, a tap answer, a CUPS job message, the CLI.
The web UI reads the same catalogues through Flask-Babel, so there is one place for every word.
"""

from __future__ import annotations

import gettext
import os
from functools import lru_cache
from pathlib import Path

LANGUAGES = ("ko", "en")
DEFAULT_LANGUAGE = "ko"
CATALOGUES = Path(__file__).resolve().parent / "translations"
DOMAIN = "messages"


def N_(message: str) -> str:
    """Mark `message` for the catalogues without translating it here."""
    return message


def normalise(language: str | None) -> str:
    """"ko_KR.UTF-8", "en-US" or "ko" -> one of LANGUAGES; anything else -> the default language."""
    base = (language or "").replace("-", "_").split("_")[0].split(".")[0].lower()
    return base if base in LANGUAGES else DEFAULT_LANGUAGE


@lru_cache(maxsize=None)
def catalogue(language: str) -> gettext.NullTranslations:
    return gettext.translation(DOMAIN, CATALOGUES, languages=[language], fallback=True)


def translate(message: str, language: str | None = DEFAULT_LANGUAGE, **params) -> str:
    """`message` in `language`, with `%(name)s` placeholders filled from `params`; a parameter that words
    itself (a Message, a domain error) is worded in the same language."""
    text = catalogue(normalise(language)).gettext(message)
    if not params:
        return text
    return text % {name: value.words(language) if hasattr(value, "words") else value for name, value in params.items()}


class Message:
    """A message worded later, in its reader's language: a template marked with N_ and its parameters."""

    def __init__(self, template: str, /, **params):
        self.template, self.params = template, params

    def words(self, language: str | None = DEFAULT_LANGUAGE) -> str:
        return translate(self.template, language, **self.params)

    def __str__(self) -> str:
        return self.words("en")

    def __repr__(self) -> str:
        return f"<Message {self.words('en')!r}>"


def both(message: str, **params) -> dict[str, str]:
    """{"ko": ..., "en": ...}: for answers read by people of either language (a station's display)."""
    return {language: translate(message, language, **params) for language in LANGUAGES}


def bilingual(message: str, **params) -> str:
    """"Korean / English" on one line: for text every user sees alike (a CUPS queue's description, the
    state message of a job in anyone's print dialog)."""
    korean, english = translate(message, "ko", **params), translate(message, "en", **params)
    return korean if korean == english else f"{korean} / {english}"


def terminal_language() -> str:
    """The language of the person at a terminal, from the locale variables as gettext reads them.

    A terminal without a locale (C, POSIX, unset: a bare server, a cron job) gets English, as every
    gettext program does there; ko_KR.UTF-8 gets Korean.
    """
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name)
        if value:
            language = value.split(":")[0].replace("-", "_").split("_")[0].split(".")[0].lower()
            return language if language in LANGUAGES else "en"
    return "en"
