"""Canonical card numbers and their documented conversions."""

import pytest

from printrelease.cards import numbers


@pytest.mark.parametrize("text", ["04A1B2C3", "04:a1:b2:c3", "04 A1 B2 C3", "0x04a1b2c3", "hex:04a1b2c3"])
def test_hex_forms_are_one_number(text):
    assert numbers.parse(text) == "04A1B2C3"


def test_badge_decimals_big_and_little_endian():
    assert numbers.parse("dec:77705923") == "04A1B2C3"
    assert numbers.parse("decle:3283263748") == "04A1B2C3"
    # Leading zero bytes lost in the decimal come back: 7-byte UIDs keep their length.
    assert numbers.from_decimal(str(0x0104A1B2C3D4E5)) == "0104A1B2C3D4E5"


@pytest.mark.parametrize("text", ["", "04A1B2C", "XYZ", "04A1B2C3D4", "dec:12ab", "dec:" + "9" * 40])
def test_nonsense_is_refused(text):
    with pytest.raises(numbers.BadCardNumber):
        numbers.parse(text)


def test_hash_is_keyed_and_last4_is_all_that_shows():
    a = numbers.card_hash(b"key-1", "04A1B2C3")
    assert a != numbers.card_hash(b"key-2", "04A1B2C3") and len(a) == 64 and "04A1" not in a
    assert numbers.last4("04A1B2C3") == "B2C3"
