"""What the person at the printer is told after a tap, in both languages (from the gettext catalogues)."""

from __future__ import annotations

from printrelease.i18n import N_, both

# Keys are TapOutcome's values (spelled out so the station agent need not import the models), plus
# "error" for a server the agent could not reach. The Korean lines live in the catalogues.
WORDING: dict[str, str] = {
    "released": N_("%(name)s: printing %(jobs)s job(s), %(pages)s page(s) at %(printer)s."),
    "nothing_to_print": N_("%(name)s: nothing is waiting to print."),
    "unknown_card": N_("Unknown card: to claim it, log in on the web and give station %(station)s and code "
                       "%(code)s."),
    "card_disabled": N_("This account is disabled; please ask the administrator."),
    "pin_required": N_("Enter your PIN; if you have none, ask the administrator."),
    "wrong_pin": N_("Wrong PIN."),
    "printer_unavailable": N_("The printer is unavailable; your documents are still held."),
    "rate_limited": N_("Too many tries; please wait a little and try again."),
    "error": N_("The print server cannot be reached; tap again in a moment."),
}


def wording(outcome: str, name: str = "", jobs: int = 0, pages: int = 0, printer: str = "", station: str = "",
            code: str = "") -> dict[str, str]:
    """{"ko": ..., "en": ...} for a tap's outcome; an outcome without wording reads as an error."""
    message = WORDING.get(outcome, WORDING["error"])
    return both(message, name=name or "-", jobs=jobs, pages=pages, printer=printer, station=station or "-",
                code=code or "-")
