"""Errors of kiosk pairing and of acting on a kiosk's screen."""

from printrelease.errors import NotFound, PrintReleaseError
from printrelease.i18n import N_


class BadPairingCode(PrintReleaseError):
    # One message for unknown, used and expired codes: a guesser learns nothing from which it was.
    code = "bad_pairing_code"
    template = N_("this pairing code is wrong, used already or expired; ask the administrator for a new one")


class PairingThrottled(PrintReleaseError):
    code = "pairing_throttled"
    template = N_("too many wrong pairing codes from here; try again in %(minutes)s minute(s)")

    def __init__(self, minutes: int):
        super().__init__(minutes=minutes)


class UnknownKiosk(NotFound):
    code = "unknown_kiosk"
    template = N_("no such kiosk: %(kiosk)s")


class ScreenChanged(PrintReleaseError):
    # The kiosk acted for a tap that is no longer the one shown: someone else tapped since, the person
    # pressed "done", or the screen timed out. Nothing is done for whoever it was.
    code = "kiosk_screen_changed"
    template = N_("this screen is out of date (someone tapped since, or it timed out); tap your card again")
