"""PINs for the optional second factor at a station: scrypt hashes, never the PIN itself."""

from __future__ import annotations

from printrelease.accounts.hashing import scrypt_hash, scrypt_verify
from printrelease.errors import Invalid
from printrelease.i18n import N_


class BadPin(Invalid):
    code = "bad_pin"


def hash_pin(pin: str) -> str:
    if not (pin.isdigit() and 4 <= len(pin) <= 12):
        raise BadPin(N_("a PIN is 4 to 12 digits"))
    return scrypt_hash(pin)


def verify_pin(pin: str, stored: str) -> bool:
    return scrypt_verify(pin, stored)
