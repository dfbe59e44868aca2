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


def parse_unit_price(text: str, currency: str) -> int:
    """"20" or "0.035" (major units) -> a unit price scaled by PRICE_SCALE; refuses what it cannot keep exactly."""
    try:
        value = Decimal(str(text).strip().replace(",", ""))
    except InvalidOperation:
        raise BadAmount(amount=text, currency=currency) from None
    scaled = value.scaleb(digits(currency)) * PRICE_SCALE
    if not value.is_finite() or value < 0 or scaled != scaled.to_integral_value() \
            or scaled > MAX_UNIT_PRICE * PRICE_SCALE:
        raise BadAmount(amount=text, currency=currency)
    return int(scaled)


def parse_amount(text: str, currency: str) -> int:
    """"-1234" or "12.34" (major units) -> minor units, exactly; a correction may be negative."""
    try:
        value = Decimal(str(text).strip().replace(",", ""))
    except InvalidOperation:
        raise BadAmount(amount=text, currency=currency) from None
    minor = value.scaleb(digits(currency)) if value.is_finite() else value
    if not value.is_finite() or minor != minor.to_integral_value() or abs(minor) >= 10**15:
        raise BadAmount(amount=text, currency=currency)
    return int(minor)


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
