"""Errors of the cards domain."""

from printrelease.errors import Invalid, NotFound
from printrelease.i18n import N_


class CardInUse(Invalid):
    code = "card_in_use"
    template = N_("card …%(last4)s already belongs to %(owner)s")

    def __init__(self, last4: str, owner: str):
        super().__init__(last4=last4, owner=owner)


class UnknownCard(NotFound):
    code = "unknown_card"
    template = N_("no such card: %(what)s")

    def __init__(self, what: str):
        super().__init__(what=what)


class NothingToClaim(NotFound):
    code = "nothing_to_claim"
    template = N_("no unknown card was tapped at %(station)s in the last %(minutes)s minutes")

    def __init__(self, station: str, minutes: int):
        super().__init__(station=station, minutes=minutes)
