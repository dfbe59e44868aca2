"""Errors of the accounts domain."""

from printrelease.errors import Invalid, NotFound


class UnknownUser(NotFound):
    def __init__(self, login: str):
        super().__init__(f"unknown user {login!r}")
        self.login = login


class BadUserRecord(Invalid):
    """A row of a user import that cannot be taken, with its line number."""
