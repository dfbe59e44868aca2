"""Passwords for the web login: scrypt hashes, never the password itself."""

from __future__ import annotations

from printrelease.accounts.hashing import scrypt_hash, scrypt_verify
from printrelease.errors import Invalid

MIN_LENGTH, MAX_LENGTH = 8, 1024


class BadPassword(Invalid):
    pass


def hash_password(password: str) -> str:
    if not MIN_LENGTH <= len(password) <= MAX_LENGTH:
        raise BadPassword(f"a password is {MIN_LENGTH} to {MAX_LENGTH} characters")
    return scrypt_hash(password)


def verify_password(password: str, stored: str | None) -> bool:
    if stored is None:
        # Hash anyway so that a user without a password takes as long to refuse as a wrong password.
        scrypt_hash(password[:MAX_LENGTH])
        return False
    return scrypt_verify(password[:MAX_LENGTH], stored)
