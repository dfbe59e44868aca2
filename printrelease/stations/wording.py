"""What the person at the printer is told after a tap, in both languages (from the gettext catalogues)."""

from __future__ import annotations

from printrelease.i18n import LANGUAGES, N_, translate

# Keys are TapOutcome's values (spelled out so the station agent need not import the models), plus
# "error" for a server the agent could not reach and "timeout" for one that did not answer in time.
# The Korean lines live in the catalogues.
WORDING: dict[str, str] = {
    "released": N_("%(name)s: printing %(jobs)s job(s), %(pages)s page(s) at %(printer)s."),
    "nothing_to_print": N_("%(name)s: nothing is waiting to print."),
    "identified": N_("%(name)s: %(jobs)s job(s) waiting; choose on the screen which to print."),
    "unknown_card": N_("Unknown card: to claim it, log in on the web and give station %(station)s and code "
                       "%(code)s."),
    "card_disabled": N_("This account is disabled; please ask the administrator."),
    "pin_required": N_("Enter your PIN; if you have none, ask the administrator."),
    "wrong_pin": N_("Wrong PIN."),
    "printer_unavailable": N_("The printer cannot print now (%(why)s); your documents are still held."),
    "pending": N_("Your tap is still being handled; please wait a moment."),
    "timeout": N_("The print server is slow to answer; your documents may still print here."),
    "rate_limited": N_("Too many tries; please wait a little and try again."),
    "error": N_("The print server cannot be reached; tap again in a moment."),
}


def wording(outcome: str, name: str = "", jobs: int = 0, pages: int = 0, printer: str = "",
            why: dict[str, str] | None = None, station: str = "", code: str = "") -> dict[str, str]:
    """{"ko": ..., "en": ...} for a tap's outcome; an outcome without wording reads as an error.

    `why` is a reason already in each language (a printer's "paper jam"), put into the sentence."""
    message = WORDING.get(outcome, WORDING["error"])
    return {language: translate(message, language, name=name or "-", jobs=jobs, pages=pages, printer=printer,
                                why=(why or {}).get(language, "-"), station=station or "-", code=code or "-")
            for language in LANGUAGES}
