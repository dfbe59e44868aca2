"""Errors of the release domain."""

from printrelease.errors import PrintReleaseError
from printrelease.i18n import N_, translate
from printrelease.printers.health import word


class PrinterUnavailable(PrintReleaseError):
    """The destination printer cannot print now (an error state, stopped, not accepting, unreachable)."""

    code = "printer_unavailable"
    template = N_("printer %(printer)s is unavailable: %(why)s")

    def __init__(self, printer: str, why: str, reasons: tuple[str, ...] = (), message: str = ""):
        self.printer, self.why, self.reasons, self.message = printer, why, tuple(reasons), message
        super().__init__(printer=printer, why=why)

    def words(self, language: str | None = "en") -> str:
        return translate(self.template, language, printer=self.printer, why=self.why_words(language))

    def why_words(self, language: str | None = "en") -> str:
        """Just the reasons, in the reader's language ("paper jam"), with the printer's own message."""
        if not self.reasons:
            return translate(self.why, language)
        why = ", ".join(word(keyword, language) for keyword in self.reasons)
        return f"{why} ({self.message})" if self.message else why


class NotSent(PrintReleaseError):
    """Part of a release that was not sent, while the rest may have been: a release's `problems`."""

    code = "not_sent"


class UserDisabled(NotSent):
    code = "user_disabled"
    template = N_("%(login)s is disabled: nothing of theirs is sent")


class PrinterLost(NotSent):
    """The printer went away midway: the jobs sent before stay sent, the rest stay held."""

    code = "printer_became_unavailable"
    template = N_("printer %(printer)s became unavailable, the other jobs stay held: %(why)s")


class JobNotSent(NotSent):
    code = "job_not_sent"
    template = N_("job %(job)s: %(why)s")
