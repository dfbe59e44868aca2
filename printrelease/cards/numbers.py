"""Card numbers in one canonical form: the UID as PC/SC GET DATA returns it, in upper-case hex.

Readers and badge printers disagree on the form of the same card number:
- PC/SC GET DATA (FF CA 00 00 00) returns the UID bytes in card order: 04 A1 B2 C3 -> "04A1B2C3".
- A decimal number printed on a badge is usually those bytes read as one big-endian integer
  (04A1B2C3 -> 77705923); some readers in keyboard mode send the bytes reversed (little-endian,
  C3B2A104 -> 3283263748). `from_decimal(text, byte_order="little")` takes those.
- Decimal numbers lose leading zero bytes; the byte length is restored as the shortest ISO 14443
  UID length (4, 7 or 10 bytes) that holds the number.
"""

from __future__ import annotations

import hashlib
import hmac
import re

from printrelease.errors import Invalid
from printrelease.i18n import N_

UID_LENGTHS = (4, 7, 10)


class BadCardNumber(Invalid):
    code = "bad_card_number"


def from_hex(text: str) -> str:
    cleaned = re.sub(r"[\s:\-]", "", text.strip())
    if cleaned.lower().startswith("0x"):
        cleaned = cleaned[2:]
    if not cleaned or not re.fullmatch(r"[0-9A-Fa-f]+", cleaned) or len(cleaned) % 2:
        raise BadCardNumber(N_("'%(text)s' is not a card UID in hex (an even number of hex digits)"), text=text)
    if len(cleaned) // 2 not in UID_LENGTHS:
        raise BadCardNumber(N_("'%(text)s' is %(bytes)s bytes; card UIDs are 4, 7 or 10 bytes"), text=text,
                            bytes=len(cleaned) // 2)
    return cleaned.upper()


def from_decimal(text: str, byte_order: str = "big") -> str:
    digits = text.strip()
    if not (digits.isascii() and digits.isdigit()):
        raise BadCardNumber(N_("'%(text)s' is not a decimal card number"), text=text)
    if len(digits.lstrip("0")) > 25:  # 10 bytes are at most 25 digits; int() of a huge string is slow
        raise BadCardNumber(N_("'%(text)s' is too large for a card UID"), text=text[:40])
    value = int(digits)
    for length in UID_LENGTHS:
        if value < 1 << (8 * length):
            return value.to_bytes(length, byte_order).hex().upper()
    raise BadCardNumber(N_("'%(text)s' is too large for a card UID"), text=text)


def from_bytes(uid: bytes | list[int]) -> str:
    return from_hex(bytes(uid).hex())


def parse(text: str) -> str:
    """Read a number as typed by an admin or found in an import: "hex:..."/"dec:..."/"decle:..." or bare hex."""
    kind, sep, rest = text.strip().partition(":")
    if sep and kind.lower() in ("hex", "dec", "decle"):
        if kind.lower() == "hex":
            return from_hex(rest)
        return from_decimal(rest, "little" if kind.lower() == "decle" else "big")
    return from_hex(text)


def last4(canonical: str) -> str:
    return canonical[-4:]


def card_hash(key: bytes, canonical: str) -> str:
    """Keyed HMAC-SHA256: the database alone does not reveal card numbers, nor lets them be guessed."""
    return hmac.new(key, canonical.encode("ascii"), hashlib.sha256).hexdigest()
