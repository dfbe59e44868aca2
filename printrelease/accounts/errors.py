"""Errors of the accounts domain."""

from printrelease.errors import Invalid, NotFound
from printrelease.i18n import N_


class UnknownUser(NotFound):
    code = "unknown_user"
    template = N_("unknown user '%(login)s'")

    def __init__(self, login: str):
        super().__init__(login=login)
        self.login = login


class BadUserRecord(Invalid):
    """A user record (or a row of a user import) that cannot be taken, with its line number."""

    code = "bad_user_record"
