"""Money as integers of the currency's minor unit, read and written with Babel; never floats."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from babel.core import Locale
from babel.numbers import format_currency, get_currency_precision

from printrelease.i18n import normalise
from printrelease.prices.errors import BadAmount, UnknownCurrency
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


def _exact(text: str, currency: str, scale: int, low: int, high: int) -> int:
    """Major units as text -> an integer of 1/scale minor units in [low, high]; refuses anything inexact."""
    try:
        value = Decimal(str(text).strip().replace(",", ""))
    except InvalidOperation:
        raise BadAmount(amount=text, currency=currency) from None
    if not value.is_finite():
        raise BadAmount(amount=text, currency=currency)
    scaled = value.scaleb(digits(currency)) * scale
    if scaled != scaled.to_integral_value() or not low <= scaled <= high:
        raise BadAmount(amount=text, currency=currency)
    return int(scaled)


def parse_unit_price(text: str, currency: str) -> int:
    """"20" or "0.035" (major units) -> a unit price scaled by PRICE_SCALE."""
    return _exact(text, currency, PRICE_SCALE, 0, MAX_UNIT_PRICE * PRICE_SCALE)


def parse_amount(text: str, currency: str) -> int:
    """"-1234" or "12.34" (major units) -> minor units; a correction may be negative."""
    return _exact(text, currency, 1, -(10**15) + 1, 10**15 - 1)


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
