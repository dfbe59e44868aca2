"""What a user may do: "user" (their own jobs and cards), "finance" (reports, usage), "admin" (everything)."""

from __future__ import annotations

from printrelease.errors import Invalid
from printrelease.i18n import N_

ROLES = ("user", "finance", "admin")
# Each role and the roles it includes: an admin may see the finance pages too.
INCLUDES = {"user": {"user"}, "finance": {"user", "finance"}, "admin": {"user", "finance", "admin"}}


class BadRole(Invalid):
    code = "bad_role"
    template = N_("'%(role)s' is not a role (%(roles)s)")

    def __init__(self, role: str):
        super().__init__(role=str(role)[:40], roles=", ".join(ROLES))


def check_role(role: str) -> str:
    if role not in ROLES:
        raise BadRole(role)
    return role


def has_role(user, role: str) -> bool:
    """Whether `user` (a User, or None for nobody logged in) may act as `role`."""
    check_role(role)  # a misspelt role in a page's decorator is a bug, never a refusal
    if user is None or not getattr(user, "is_active", False):
        return False
    return role in INCLUDES.get(user.role, set())
