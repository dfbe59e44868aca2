"""Errors of the reports."""

from printrelease.errors import Invalid
from printrelease.i18n import N_


class BadPeriod(Invalid):
    code = "bad_period"
    template = N_("the period's end %(last)s is before its start %(first)s")


class BadGrouping(Invalid):
    code = "bad_grouping"
    template = N_("cannot group by %(by)s; choose from %(choices)s")


class MixedCurrencies(Invalid):
    code = "mixed_currencies"
    template = N_("the period has costs in several currencies (%(currencies)s); report each part separately")
