"""Directory logins through a real OpenLDAP slapd: bind as the user, take name, email and department from
the entry, keep no password; escaped logins; a directory that is down; local accounts beside it."""

import pytest
from sqlalchemy import select

from printrelease.accounts.directory import Directory, DirectoryUnavailable
from printrelease.accounts.login import LoginRefused, log_in
from printrelease.accounts.models import LoginAttempt, User
from printrelease.accounts.passwords import hash_password
from printrelease.accounts.service import add_user, get_user
from printrelease.config import KNOWN, PREFIX, ConfigError, LdapSettings, Settings
from sandbox.cupsd import free_port


@pytest.fixture(params=["template", "search"])
def directory(request, slapd):
    """The directory as an OpenLDAP site names users (a DN template) and as an AD site does (a search)."""
    return Directory(LdapSettings.from_values(slapd.settings(search=request.param == "search")))


def attempt(runtime, directory, login, password, address="10.0.0.7"):
    """One login as the web edge does it: committed whatever the outcome."""
    with runtime.sessions() as session:
        try:
            return log_in(session, login, password, address, directory=directory).login
        finally:
            session.commit()


def attempts(runtime):
    with runtime.sessions() as session:
        return [(a.login, a.succeeded) for a in session.scalars(select(LoginAttempt).order_by(LoginAttempt.id))]


def test_a_directory_login_makes_the_user_from_the_entry_and_keeps_no_password(runtime, directory):
    assert attempt(runtime, directory, "kimsr", "kim-ldap-2026") == "kimsr"
    with runtime.sessions() as session:
        user = get_user(session, "kimsr")
        assert (user.display_name, user.email, user.role, user.password_hash) == (
            "김성렬", "kimsr@example.go.kr", "user", None)
        assert (user.department.code, user.department.name) == ("budget", "기획예산과")
    assert attempts(runtime) == [("kimsr", True)]


def test_each_login_brings_a_known_user_up_to_date(runtime, directory):
    with runtime.sessions.begin() as session:
        add_user(session, "kimsr", "kimsr", department_code="old", department_name="옛 부서")  # made by a capture
    attempt(runtime, directory, "kimsr", "kim-ldap-2026")
    with runtime.sessions() as session:
        user = get_user(session, "kimsr")
        assert (user.display_name, user.department.code, user.department.name) == ("김성렬", "budget", "기획예산과")
        assert session.scalar(select(User.id).where(User.login != "kimsr")) is None


def test_the_directory_spelling_of_a_login_is_kept(runtime, directory):
    assert attempt(runtime, directory, "KimSR", "kim-ldap-2026") == "kimsr"


@pytest.mark.parametrize("login, password", [
    ("kimsr", "wrong-password"), ("kimsr", ""), ("nobody", "kim-ldap-2026"),
    ("*)(uid=*", "kim-ldap-2026"), ("*", "kim-ldap-2026"), ("kimsr)(|(uid=*", "kim-ldap-2026"),
    ("choi", "choi-ldap-2026"), ("kimsr,ou=people", "kim-ldap-2026"), ("cn=reader,dc=example,dc=go,dc=kr", "x")])
def test_wrong_passwords_and_injections_are_refusals(runtime, directory, login, password):
    with pytest.raises(LoginRefused):
        attempt(runtime, directory, login, password)
    assert attempts(runtime) == [(login, False)]
    with runtime.sessions() as session:
        assert session.scalar(select(User.id)) is None


@pytest.mark.parametrize("login, password, name", [("lee,jy+x", "lee-ldap-2026", "이지영"),
                                                   ("choi*", "choi-ldap-2026", "최민수")])
def test_logins_with_dn_and_filter_characters_are_escaped_not_interpreted(runtime, directory, login, password, name):
    assert attempt(runtime, directory, login, password) == login
    with runtime.sessions() as session:
        assert get_user(session, login).display_name == name


def test_a_directory_that_is_down_is_a_clear_error_and_no_failed_attempt(runtime):
    down = Directory(LdapSettings(url=f"ldap://127.0.0.1:{free_port()}", user_dn="uid={login},dc=x", timeout=2))
    with pytest.raises(DirectoryUnavailable) as raised:
        attempt(runtime, down, "kimsr", "kim-ldap-2026")
    assert raised.value.code == "directory_unavailable"
    assert "디렉터리" in raised.value.words("ko")
    assert attempts(runtime) == []


def test_a_refused_search_account_reads_as_the_directory_being_unavailable(runtime, slapd):
    values = {**slapd.settings(search=True), "PRINTRELEASE_LDAP_BIND_PASSWORD": "not-the-password"}
    with pytest.raises(DirectoryUnavailable):
        attempt(runtime, Directory(LdapSettings.from_values(values)), "kimsr", "kim-ldap-2026")
    assert attempts(runtime) == []


def test_local_accounts_keep_working_and_are_never_taken_by_a_directory_entry(runtime, directory):
    with runtime.sessions.begin() as session:
        add_user(session, "admin", "비상 관리자", role="admin").password_hash = hash_password("local-admin-2026")
        add_user(session, "kimsr", "김성렬").password_hash = hash_password("local-kim-2026")
    assert attempt(runtime, directory, "admin", "local-admin-2026") == "admin"
    assert attempt(runtime, directory, "kimsr", "local-kim-2026") == "kimsr"
    # The local account's name spelled otherwise, with the directory's password: not the local account.
    with pytest.raises(LoginRefused):
        attempt(runtime, directory, "KIMSR", "kim-ldap-2026")
    with pytest.raises(LoginRefused):
        attempt(runtime, directory, "kimsr", "kim-ldap-2026")


def test_a_disabled_user_cannot_log_in_through_the_directory(runtime, directory):
    with runtime.sessions.begin() as session:
        add_user(session, "kimsr", "김성렬").is_active = False
    with pytest.raises(LoginRefused):
        attempt(runtime, directory, "kimsr", "kim-ldap-2026")


def test_directory_settings_are_read_and_checked(slapd):
    assert {name[len(PREFIX):] for name in slapd.settings(search=True)} <= KNOWN
    settings = Settings.from_env({**slapd.settings(), "PRINTRELEASE_CONFIG": ""})
    assert settings.ldap.user_dn == slapd.user_dn and settings.ldap.name_attribute == "displayName"
    assert Settings.from_env({"PRINTRELEASE_CONFIG": ""}).ldap is None
    for values in ({"PRINTRELEASE_LDAP_URL": "ldap://x"},  # neither a template nor a search
                   {**slapd.settings(), "PRINTRELEASE_LDAP_SEARCH_BASE": "ou=people"},  # both
                   {"PRINTRELEASE_LDAP_URL": "ldap://x", "PRINTRELEASE_LDAP_USER_DN": "uid=kimsr,ou=people"}):
        with pytest.raises(ConfigError):
            LdapSettings.from_values(values)


@pytest.mark.parametrize("login", ["kimsr\x00", "kim\nsr", "\x00"])
def test_unprintable_logins_are_refused_before_anything_is_asked(runtime, directory, login):
    with pytest.raises(LoginRefused):
        attempt(runtime, directory, login, "kim-ldap-2026")
    assert attempts(runtime) == []


def test_the_runtime_offers_the_configured_directory(slapd, tmp_path, runtime):
    from dataclasses import replace

    from printrelease.runtime import Runtime

    assert runtime.directory is None
    configured = Runtime(replace(runtime.settings, ldap=LdapSettings.from_values(slapd.settings())))
    try:
        assert attempt(configured, configured.directory, "parkjy", "park-ldap-2026") == "parkjy"
    finally:
        configured.close()


class LongDirectory:
    """A directory whose entry holds values longer than the columns they go in (any length is valid LDAP)."""

    def authenticate(self, login, password):
        from printrelease.accounts.directory import DirectoryPerson

        return DirectoryPerson(login=login, display_name="김" * 300 + "\n성렬", email="k" * 400 + "@example.go.kr",
                               department_code="D" * 100, department_name="기획\t예산과" * 50)


def test_directory_values_longer_than_their_columns_are_cut_to_fit(runtime):
    """A value past its column refused the login (and on PostgreSQL could not be stored); the directory
    decides who may log in, so its values are taken as far as they fit. A cut e-mail address would be
    someone else's: it is left out."""
    assert attempt(runtime, LongDirectory(), "kimsr", "any") == "kimsr"
    with runtime.sessions() as session:
        user = get_user(session, "kimsr")
        assert len(user.display_name) == 200 and user.display_name.startswith("김" * 200)
        assert user.email is None
        assert user.department.code == "D" * 64
        assert len(user.department.name) == 200 and user.department.name.startswith("기획 예산과")
    assert attempt(runtime, LongDirectory(), "kimsr", "any") == "kimsr", "the next login finds the same user"
