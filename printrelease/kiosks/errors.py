"""Errors of kiosk pairing."""

from printrelease.errors import NotFound, PrintReleaseError
from printrelease.i18n import N_


class BadPairingCode(PrintReleaseError):
    # One message for unknown, used and expired codes: a guesser learns nothing from which it was.
    code = "bad_pairing_code"
    template = N_("this pairing code is wrong, used already or expired; ask the administrator for a new one")


class UnknownKiosk(NotFound):
    code = "unknown_kiosk"
    template = N_("no such kiosk: %(kiosk)s")
