"""Passwords for the web login: scrypt hashes, never the password itself."""

from __future__ import annotations

from printrelease.accounts.hashing import scrypt_hash, scrypt_verify
from printrelease.errors import Invalid
from printrelease.i18n import N_

MIN_LENGTH, MAX_LENGTH = 8, 1024


class BadPassword(Invalid):
    code = "bad_password"


def hash_password(password: str) -> str:
    if not MIN_LENGTH <= len(password) <= MAX_LENGTH:
        raise BadPassword(N_("a password is %(low)s to %(high)s characters"), low=MIN_LENGTH, high=MAX_LENGTH)
    return scrypt_hash(password)


def verify_password(password: str, stored: str | None) -> bool:
    if stored is None:
        # Hash anyway so that a user without a password takes as long to refuse as a wrong password.
        scrypt_hash(password[:MAX_LENGTH])
        return False
    return scrypt_verify(password[:MAX_LENGTH], stored)
