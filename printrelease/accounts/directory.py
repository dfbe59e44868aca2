"""Checking a login against a directory (OpenLDAP, Active Directory) by binding as the user, with ldap3.

The directory decides whether the password is right; the user's name, email and department are read
from their entry at each login. The password is used for the bind and kept nowhere. The login is
escaped wherever it goes into a DN or a filter, so `*)(uid=*` is a name like any other.
"""

from __future__ import annotations

import logging
import math
import ssl
from dataclasses import dataclass

from printrelease.config import LdapSettings
from printrelease.errors import PrintReleaseError
from printrelease.i18n import N_

log = logging.getLogger(__name__)

# Bind results that mean "not this person, or not this password" (invalidCredentials, noSuchObject,
# invalidDNSyntax, inappropriateAuthentication, insufficientAccessRights); others mean the directory
# is not answering properly (busy, unavailable, ...).
REFUSALS = {49, 32, 34, 48, 50}


class DirectoryUnavailable(PrintReleaseError):
    """The directory could not be asked: no password was checked, so it is not a failed login."""

    code = "directory_unavailable"
    template = N_("the directory server cannot be reached, so logins cannot be checked; try again in a "
                  "moment or tell the administrator")


@dataclass(frozen=True)
class DirectoryPerson:
    login: str  # as the directory spells it
    display_name: str | None
    email: str | None
    department_code: str | None
    department_name: str | None


def _first(attributes: dict, name: str, prefer: str | None = None) -> str | None:
    value = attributes.get(name) if name else None
    values = [str(v).strip() for v in (value if isinstance(value, (list, tuple)) else [value]) if v is not None]
    values = [v for v in values if v]
    if prefer is not None:
        for candidate in values:
            if candidate.casefold() == prefer.casefold():
                return candidate
    return values[0] if values else None


class Directory:
    """One configured directory. `authenticate` opens its own connections and closes them."""

    def __init__(self, settings: LdapSettings):
        self.settings = settings

    def _server(self):
        import ldap3

        tls = ldap3.Tls(validate=ssl.CERT_REQUIRED, ca_certs_file=self.settings.ca_file)
        # ldap3 reads "ldap://host:389/" (a URL as people write it) as a bad port: the path goes.
        return ldap3.Server(self.settings.url.rstrip("/"), connect_timeout=self.settings.timeout, tls=tls,
                            get_info=ldap3.NONE)

    def _bind(self, server, dn: str | None, password: str | None):
        """A bound connection, or None if the directory refused these credentials."""
        import ldap3

        # ldap3 packs the receive timeout into a socket option: whole seconds only.
        connection = ldap3.Connection(server, user=dn, password=password,
                                      receive_timeout=max(1, math.ceil(self.settings.timeout)),
                                      raise_exceptions=False, read_only=True, auto_referrals=False)
        connection.open()
        if self.settings.start_tls and not self.settings.url.lower().startswith("ldaps:"):
            connection.start_tls()
        if connection.bind():
            return connection
        result = connection.result or {}
        connection.unbind()
        if result.get("result") in REFUSALS:
            return None
        log.warning("directory %s: bind answered %s %s", self.settings.url, result.get("result"),
                    result.get("description"))
        raise DirectoryUnavailable()

    def _attributes(self) -> list[str]:
        s = self.settings
        return [a for a in (s.login_attribute, s.name_attribute, s.email_attribute, s.department_attribute,
                            s.department_name_attribute) if a]

    def authenticate(self, login: str, password: str) -> DirectoryPerson | None:
        """The person if the directory accepts `password` for `login`; None if it does not (unknown login,
        wrong password). Raises DirectoryUnavailable if it cannot be asked."""
        if not login or not password:
            # An empty password would be an "unauthenticated bind", which directories answer with success.
            return None
        from ldap3.core.exceptions import LDAPException, LDAPInvalidDnError

        try:
            return self._authenticate(login, password)
        except LDAPInvalidDnError:
            return None
        except LDAPException as error:
            log.warning("directory %s: %s", self.settings.url, error)
            raise DirectoryUnavailable() from error

    def _authenticate(self, login: str, password: str) -> DirectoryPerson | None:
        import ldap3
        from ldap3.utils.conv import escape_filter_chars
        from ldap3.utils.dn import escape_rdn

        s, server = self.settings, self._server()
        if s.user_dn:
            dn = s.user_dn.replace("{login}", escape_rdn(login))
            user = self._bind(server, dn, password)
            if user is None:
                return None
            try:
                # The user's own entry, read as the user (directories let people read themselves).
                user.search(dn, "(objectClass=*)", ldap3.BASE, attributes=self._attributes())
                attributes = _entries(user)[0].get("attributes", {}) if _entries(user) else {}
            finally:
                user.unbind()
        else:
            service = self._bind(server, s.bind_dn, s.bind_password)
            if service is None:
                log.warning("directory %s: the search account %s was refused", s.url, s.bind_dn)
                raise DirectoryUnavailable()
            try:
                service.search(s.search_base, s.search_filter.replace("{login}", escape_filter_chars(login)),
                               ldap3.SUBTREE, attributes=self._attributes(), size_limit=2)
                entries = _entries(service)
            finally:
                service.unbind()
            if len(entries) != 1:
                return None  # nobody, or a filter that is not specific enough: never guess which one
            user = self._bind(server, entries[0]["dn"], password)
            if user is None:
                return None
            user.unbind()
            attributes = entries[0].get("attributes", {})
        return DirectoryPerson(login=_first(attributes, s.login_attribute, prefer=login) or login,
                               display_name=_first(attributes, s.name_attribute),
                               email=_first(attributes, s.email_attribute),
                               department_code=_first(attributes, s.department_attribute),
                               department_name=_first(attributes, s.department_name_attribute))


def _entries(connection) -> list[dict]:
    return [e for e in connection.response or [] if e.get("type") == "searchResEntry"]
