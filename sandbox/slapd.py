"""A private OpenLDAP slapd on a loopback port, with people whose names are Korean, for directory logins.

Its configuration and data live under one folder, loaded with slapadd (cn=config in slapd.d, the entries
in an mdb database); slapd runs in the foreground as a child of this process. Anonymous clients may only
bind; a bound person or the search account may read the entries (as Active Directory allows).
"""

from __future__ import annotations

import base64
import hashlib
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sandbox.cupsd import free_port, stop_process, wait_for_port

SUFFIX = "dc=example,dc=go,dc=kr"
PEOPLE = f"ou=people,{SUFFIX}"


@dataclass(frozen=True)
class DirectoryUser:
    login: str
    password: str
    display_name: str
    email: str = ""
    department_code: str = ""
    department_name: str = ""


DEMO_PEOPLE = (
    DirectoryUser("kimsr", "kim-ldap-2026", "김성렬", "kimsr@example.go.kr", "budget", "기획예산과"),
    DirectoryUser("parkjy", "park-ldap-2026", "박지영", "parkjy@example.go.kr", "civil", "민원봉사과"),
)


def ssha(password: str) -> str:
    """{SSHA} as slappasswd makes it: SHA-1 of password and salt, then the salt, in base64."""
    salt = os.urandom(8)
    return "{SSHA}" + base64.b64encode(hashlib.sha1(password.encode() + salt).digest() + salt).decode()


def _line(name: str, value: str) -> str:
    # LDIF carries anything beyond plain ASCII (Hangul, a leading space) in base64.
    if value.isascii() and value.isprintable() and not value.startswith((" ", ":", "<")):
        return f"{name}: {value}"
    return f"{name}:: {base64.b64encode(value.encode()).decode()}"


def _rdn_value(value: str) -> str:
    """A login as an RDN value (RFC 4514), as slapadd reads a DN."""
    escaped = "".join("\\" + ch if ch in ',+"\\<>;=' else ch for ch in value)
    if escaped.startswith(("#", " ")):
        escaped = "\\" + escaped
    return escaped


CONFIG = """\
dn: cn=config
objectClass: olcGlobal
cn: config
olcPidFile: {root}/slapd.pid

dn: cn=module{{0}},cn=config
objectClass: olcModuleList
cn: module{{0}}
olcModulePath: /usr/lib/ldap
olcModuleLoad: back_mdb

dn: cn=schema,cn=config
objectClass: olcSchemaConfig
cn: schema

include: file:///etc/ldap/schema/core.ldif

include: file:///etc/ldap/schema/cosine.ldif

include: file:///etc/ldap/schema/nis.ldif

include: file:///etc/ldap/schema/inetorgperson.ldif

dn: olcDatabase={{-1}}frontend,cn=config
objectClass: olcDatabaseConfig
objectClass: olcFrontendConfig
olcDatabase: {{-1}}frontend

dn: olcDatabase={{0}}config,cn=config
objectClass: olcDatabaseConfig
olcDatabase: {{0}}config
olcAccess: {{0}}to * by * none

dn: olcDatabase={{1}}mdb,cn=config
objectClass: olcDatabaseConfig
objectClass: olcMdbConfig
olcDatabase: {{1}}mdb
olcSuffix: {suffix}
olcDbDirectory: {root}/data
olcDbMaxSize: 33554432
olcRootDN: cn=admin,{suffix}
olcDbIndex: objectClass eq
olcDbIndex: uid eq
olcAccess: {{0}}to attrs=userPassword by anonymous auth by self write by * none
olcAccess: {{1}}to * by users read by * none
"""


class PrivateSlapd:
    """slapd -d 0 on 127.0.0.1:`port` with the entries of `people`, under `root`; start(), stop()."""

    def __init__(self, root: Path, people=DEMO_PEOPLE, port: int | None = None,
                 reader_password: str = "reader-ldap-2026"):
        self.root, self.people, self.port = Path(root), tuple(people), port or free_port()
        self.reader_dn, self.reader_password = f"cn=reader,{SUFFIX}", reader_password
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"ldap://127.0.0.1:{self.port}"

    user_dn = f"uid={{login}},{PEOPLE}"  # the template printrelease binds with
    search_base = PEOPLE

    def settings(self, search: bool = False) -> dict[str, str]:
        """PRINTRELEASE_LDAP_* for this directory: a DN template, or (`search`) a search as for AD."""
        values = {"PRINTRELEASE_LDAP_URL": self.url, "PRINTRELEASE_LDAP_TIMEOUT": "5"}
        if search:
            values.update(PRINTRELEASE_LDAP_SEARCH_BASE=PEOPLE, PRINTRELEASE_LDAP_SEARCH_FILTER="(uid={login})",
                          PRINTRELEASE_LDAP_BIND_DN=self.reader_dn,
                          PRINTRELEASE_LDAP_BIND_PASSWORD=self.reader_password)
        else:
            values["PRINTRELEASE_LDAP_USER_DN"] = self.user_dn
        return values

    def _entries(self) -> str:
        blocks = [f"dn: {SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\no: Example\ndc: example",
                  f"dn: {PEOPLE}\nobjectClass: organizationalUnit\nou: people",
                  f"dn: {self.reader_dn}\nobjectClass: organizationalRole\nobjectClass: simpleSecurityObject\n"
                  f"cn: reader\nuserPassword: {ssha(self.reader_password)}"]
        for person in self.people:
            lines = [_line("dn", f"uid={_rdn_value(person.login)},{PEOPLE}"), "objectClass: inetOrgPerson",
                     _line("uid", person.login), _line("cn", person.display_name),
                     _line("sn", person.display_name[:1] or person.login), _line("displayName", person.display_name),
                     f"userPassword: {ssha(person.password)}"]
            if person.email:
                lines.append(_line("mail", person.email))
            if person.department_code:
                lines.append(_line("departmentNumber", person.department_code))
            if person.department_name:
                lines.append(_line("ou", person.department_name))
            blocks.append("\n".join(lines))
        return "\n\n".join(blocks) + "\n"

    def prepare(self) -> None:
        (self.root / "slapd.d").mkdir(parents=True, exist_ok=True)
        (self.root / "data").mkdir(exist_ok=True)
        (self.root / "config.ldif").write_text(CONFIG.format(root=self.root.resolve(), suffix=SUFFIX))
        (self.root / "data.ldif").write_text(self._entries(), encoding="utf-8")
        for number, name in (("0", "config.ldif"), ("1", "data.ldif")):
            subprocess.run(["slapadd", "-q", "-n", number, "-F", str(self.root / "slapd.d"), "-l",
                            str(self.root / name)], check=True, capture_output=True)

    def start(self) -> "PrivateSlapd":
        self.prepare()
        self.process = subprocess.Popen(["slapd", "-d", "0", "-h", f"ldap://127.0.0.1:{self.port}/", "-F",
                                         str(self.root / "slapd.d")], stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)
        wait_for_port(self.port, process=self.process)
        return self

    def stop(self) -> None:
        stop_process(self.process)

    def __enter__(self) -> "PrivateSlapd":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
