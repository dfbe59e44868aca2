"""Errors of the cards domain."""

from printrelease.errors import Invalid, NotFound
from printrelease.i18n import N_


# Only for admins (the CLI): whose the card is. Users are never told another user's login.
OWNED_BY = N_("card …%(last4)s already belongs to %(owner)s")


class CardInUse(Invalid):
    code = "card_in_use"
    template = N_("card …%(last4)s is already registered to another user")

    def __init__(self, last4: str, owner: str):
        super().__init__(last4=last4)
        self.owner = owner  # not a parameter of the message: edges that show params would disclose it


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


class WrongClaimCode(Invalid):
    # The same refusal whether no card was tapped there or the code is wrong: a user learns nothing of
    # other people's taps from it.
    code = "wrong_claim_code"
    template = N_("no card tapped at %(station)s in the last %(minutes)s minutes has that code; after %(tries)s "
                  "wrong codes a tap needs tapping again for a new one")

    def __init__(self, station: str, minutes: int, tries: int):
        super().__init__(station=station, minutes=minutes, tries=tries)
