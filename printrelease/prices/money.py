"""Money as integers of the currency's minor unit, read and written with Babel; never floats."""

from __future__ import annotations

import functools
from decimal import Decimal, InvalidOperation

from babel.core import Locale
from babel.numbers import format_currency, get_currency_precision

from printrelease.i18n import normalise
from printrelease.prices.errors import AmountOutOfRange, BadAmount, TooManyDecimals, UnknownCurrency
from printrelease.prices.models import PRICE_SCALE

LOCALES = {"ko": "ko_KR", "en": "en_US"}
MAX_UNIT_PRICE = 10**7  # minor units per impression: far above any real price, far below overflow


def digits(currency: str) -> int:
    """Decimal places of the currency's minor unit: 0 for KRW and JPY, 2 for USD."""
    if currency not in Locale("en").currencies:
        raise UnknownCurrency(currency=currency)
    return get_currency_precision(currency)


def to_major(minor: int, currency: str) -> Decimal:
    """An amount in minor units as a Decimal in the currency's major unit (₩, $)."""
    return Decimal(minor).scaleb(-digits(currency))


class Money:
    """An amount in minor units as a message parameter: worded in the reader's language (₩20, KRW 20)."""

    def __init__(self, minor: int, currency: str):
        self.minor, self.currency = minor, currency

    def words(self, language: str | None = "ko") -> str:
        return format_money(self.minor, self.currency, language)


def _exact(text: str, currency: str, scale: int, low: int, high: int) -> int:
    """Major units as text -> an integer of 1/scale minor units in [low, high]; refuses anything inexact,
    saying which: not a number, out of range, or finer than 1/scale of the minor unit."""
    text = str(text)
    shown = text if len(text) <= 24 else text[:23] + "…"  # what was typed, not a page of it
    try:
        value = Decimal(text.strip().replace(",", ""))
    except InvalidOperation:
        raise BadAmount(amount=shown, currency=currency) from None
    if not value.is_finite():
        raise BadAmount(amount=shown, currency=currency)
    # Compared before any arithmetic: Decimal compares exactly, whereas scaling 1e999999 overflows.
    places = digits(currency) + len(str(scale)) - 1
    if not Decimal(low).scaleb(-places) <= value <= Decimal(high).scaleb(-places):
        raise AmountOutOfRange(amount=shown, least=Money(low // scale, currency), most=Money(high // scale, currency))
    try:
        rounded = value.quantize(Decimal(1).scaleb(-places))
    except InvalidOperation:  # more digits than the context's precision: far finer than any price
        rounded = None
    if rounded != value:
        raise TooManyDecimals(amount=shown, currency=currency, places=places)
    return int(rounded.scaleb(places))


def parse_unit_price(text: str, currency: str) -> int:
    """"20" or "0.035" (major units) -> a unit price scaled by PRICE_SCALE."""
    return _exact(text, currency, PRICE_SCALE, 0, MAX_UNIT_PRICE * PRICE_SCALE)


def parse_amount(text: str, currency: str) -> int:
    """"-1234" or "12.34" (major units) -> minor units; a correction may be negative."""
    return _exact(text, currency, 1, -(10**15) + 1, 10**15 - 1)


@functools.lru_cache(maxsize=4096)  # a pure function of its arguments, and Babel's formatting is slow
def format_money(minor: int, currency: str, language: str | None = "ko") -> str:
    """₩1,234 in Korean, KRW 1,234 in English (the code, so that a foreign reader knows whose won)."""
    return _format(to_major(minor, currency), currency, language)


def format_unit_price(scaled: int, currency: str, language: str | None = "ko") -> str:
    """A unit price, with the fractions of the minor unit it has (₩20, ₩20.5)."""
    value = to_major(scaled, currency) / PRICE_SCALE
    text = _format(value, currency, language, fraction=max(0, -value.normalize().as_tuple().exponent))
    return text


def _format(value: Decimal, currency: str, language: str | None, fraction: int | None = None) -> str:
    language = normalise(language)
    places = digits(currency) if fraction is None else max(fraction, digits(currency))
    decimals = "." + "0" * places if places else ""
    if language == "ko":
        pattern = "¤#,##0" + decimals
    else:
        pattern = "¤¤\xa0#,##0" + decimals
    return format_currency(value, currency, format=pattern, locale=LOCALES[language], currency_digits=False)
