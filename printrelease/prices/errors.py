"""Errors of the price lists."""

from printrelease.errors import Invalid
from printrelease.i18n import N_


class BadAmount(Invalid):
    code = "bad_amount"
    template = N_("%(amount)s is not an amount in %(currency)s")


class AmountOutOfRange(BadAmount):
    code = "amount_out_of_range"
    template = N_("%(amount)s is out of range: an amount here is from %(least)s to %(most)s")


class TooManyDecimals(BadAmount):
    code = "too_many_decimals"
    template = N_("%(amount)s has too many decimal places: an amount in %(currency)s here has at most %(places)s")


class PriceInThePast(Invalid):
    code = "price_in_the_past"
    template = N_("a price cannot start in the past (%(valid_from)s): jobs already charged keep their price; "
                  "start it now or from a later date")


class UnpricedSize(Invalid):
    code = "unpriced_size"
    template = N_("paper size %(size)s has no price list; sizes with prices: %(sizes)s")


class UnknownCurrency(Invalid):
    code = "unknown_currency"
    template = N_("unknown currency: %(currency)s")
