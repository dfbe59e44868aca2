"""PINs for the optional second factor at a station: scrypt hashes, never the PIN itself."""

from __future__ import annotations

from printrelease.accounts.hashing import scrypt_hash, scrypt_verify
from printrelease.errors import Invalid


class BadPin(Invalid):
    pass


def hash_pin(pin: str) -> str:
    if not (pin.isdigit() and 4 <= len(pin) <= 12):
        raise BadPin("a PIN is 4 to 12 digits")
    return scrypt_hash(pin)


def verify_pin(pin: str, stored: str) -> bool:
    return scrypt_verify(pin, stored)
