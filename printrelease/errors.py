"""Base of every domain error: a code and parameters, worded at each edge in the user's language.

A domain error never decides how it is shown. It carries a stable `code` (for programs: the JSON API's
`error` field, log lines) and the parameters of its message; each edge (HTTP page or JSON, click, the
CUPS backend's plain-text answer, a station's display) words it with `words(language)`.
"""

from __future__ import annotations

from printrelease.i18n import N_, translate


class PrintReleaseError(Exception):
    """A failure the caller can explain to a person."""

    code = "error"
    template = N_("something went wrong")

    def __init__(self, template: str | None = None, **params):
        if template is not None:
            self.template = template
        self.params = params
        super().__init__(self.words("en"))

    def words(self, language: str | None = "en") -> str:
        """The message in `language` ("ko" or "en"), parameters filled in."""
        return translate(self.template, language, **self.params)


class NotFound(PrintReleaseError):
    """The named user, printer, job or credential does not exist."""

    code = "not_found"


class Invalid(PrintReleaseError):
    """The input is well-formed but not acceptable (bad CSV row, unknown option, ...)."""

    code = "invalid"
