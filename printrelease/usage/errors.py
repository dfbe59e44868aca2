"""Errors of usage records and their corrections."""

from printrelease.errors import Invalid, NotFound
from printrelease.i18n import N_


class UnknownUsageRecord(NotFound):
    code = "unknown_usage_record"
    template = N_("no such usage record: %(record)s")


class ReasonRequired(Invalid):
    code = "reason_required"
    template = N_("a correction needs a reason and the name of who makes it")


class NothingToCorrect(Invalid):
    code = "nothing_to_correct"
    template = N_("usage record %(record)s already has these figures")


class NegativeNet(Invalid):
    code = "negative_net"
    template = N_("usage record %(record)s cannot go below zero (%(field)s would be %(value)s)")
