"""Errors of the cards domain."""

from printrelease.errors import Invalid, NotFound


class CardInUse(Invalid):
    def __init__(self, last4: str, owner: str):
        super().__init__(f"card …{last4} already belongs to {owner}")


class UnknownCard(NotFound):
    def __init__(self, what: str):
        super().__init__(f"no such card: {what}")


class NothingToClaim(NotFound):
    def __init__(self, station: str, minutes: int):
        super().__init__(f"no unknown card was tapped at {station} in the last {minutes} minutes")
