"""Web login: passwords checked against scrypt hashes, every attempt recorded, guessing slowed down."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from printrelease.accounts.login import LoginPolicy, LoginRefused, LoginThrottled, forget_old_attempts, log_in
from printrelease.accounts.models import LoginAttempt
from printrelease.accounts.passwords import BadPassword, hash_password
from printrelease.accounts.service import add_user, get_user
from printrelease.db import utcnow

POLICY = LoginPolicy(window=timedelta(minutes=15), failures_per_login=3, failures_per_address=5,
                     first_wait=timedelta(minutes=2))


@pytest.fixture
def kim(runtime):
    with runtime.sessions.begin() as session:
        add_user(session, "kimsr", "김성렬").password_hash = hash_password("비밀번호-2026")


def attempt(runtime, login, password, address="10.0.0.7"):
    """One login as the web edge does it: the attempt is committed whatever the outcome."""
    with runtime.sessions() as session:
        try:
            return log_in(session, login, password, address, POLICY).display_name
        finally:
            session.commit()


def test_the_right_password_logs_in_and_is_recorded(runtime, kim):
    assert attempt(runtime, "kimsr", "비밀번호-2026") == "김성렬"
    with runtime.sessions() as session:
        (row,) = session.scalars(select(LoginAttempt))
        assert (row.login, row.remote_address, row.succeeded) == ("kimsr", "10.0.0.7", True)


@pytest.mark.parametrize("login, password", [("kimsr", "wrong-password"), ("nobody", "비밀번호-2026"),
                                             ("kimsr", ""), (" kimsr ", "비밀번호-2026x")])
def test_every_refusal_reads_the_same(runtime, kim, login, password):
    with pytest.raises(LoginRefused, match="^wrong login name or password$"):
        attempt(runtime, login, password)


def test_users_without_a_password_or_disabled_cannot_log_in(runtime, kim):
    with runtime.sessions.begin() as session:
        add_user(session, "leejy", "이지영")
    with pytest.raises(LoginRefused):
        attempt(runtime, "leejy", "anything-at-all")
    with runtime.sessions.begin() as session:
        get_user(session, "kimsr").is_active = False
    with pytest.raises(LoginRefused):
        attempt(runtime, "kimsr", "비밀번호-2026")


def age_attempts(runtime, by: timedelta) -> None:
    """Move every recorded attempt `by` into the past, as if that much time had gone by."""
    with runtime.sessions.begin() as session:
        for row in session.scalars(select(LoginAttempt)):
            row.at -= by


def test_too_many_failures_hold_the_login_back_even_with_the_right_password(runtime, kim):
    for _ in range(3):
        with pytest.raises(LoginRefused):
            attempt(runtime, "kimsr", "guess")
    with pytest.raises(LoginThrottled, match="2 minute"):
        attempt(runtime, "kimsr", "비밀번호-2026")
    with runtime.sessions() as session:
        # Refusals while held back try no password and do not count: knocking cannot extend the wait.
        assert session.scalar(select(func.count()).select_from(LoginAttempt)) == 3


def test_each_further_failure_doubles_the_wait(runtime, kim):
    for _ in range(3):
        with pytest.raises(LoginRefused):
            attempt(runtime, "kimsr", "guess")
    age_attempts(runtime, timedelta(minutes=2, seconds=1))
    with pytest.raises(LoginRefused):
        attempt(runtime, "kimsr", "guess again")
    with pytest.raises(LoginThrottled, match="4 minute"):
        attempt(runtime, "kimsr", "비밀번호-2026")
    age_attempts(runtime, timedelta(minutes=4, seconds=1))
    assert attempt(runtime, "kimsr", "비밀번호-2026") == "김성렬"


def test_nobody_elsewhere_can_lock_a_colleague_out(runtime, kim):
    for n in range(30):
        with pytest.raises((LoginRefused, LoginThrottled)):
            attempt(runtime, "kimsr" if n % 2 else f"made-up-{n}", "guess", address="192.0.2.66")
    assert attempt(runtime, "kimsr", "비밀번호-2026", address="10.0.0.7") == "김성렬"


def test_a_success_starts_the_users_count_again(runtime, kim):
    for _ in range(2):
        with pytest.raises(LoginRefused):
            attempt(runtime, "kimsr", "typo")
    attempt(runtime, "kimsr", "비밀번호-2026")
    for _ in range(2):
        with pytest.raises(LoginRefused):
            attempt(runtime, "kimsr", "typo")
    assert attempt(runtime, "kimsr", "비밀번호-2026") == "김성렬"


def test_one_address_guessing_many_logins_is_slowed_down(runtime, kim):
    for name in ("a", "b", "c", "d", "e"):
        with pytest.raises(LoginRefused):
            attempt(runtime, name, "guess", address="192.0.2.66")
    with pytest.raises(LoginThrottled):
        attempt(runtime, "kimsr", "비밀번호-2026", address="192.0.2.66")
    assert attempt(runtime, "kimsr", "비밀번호-2026", address="10.0.0.7") == "김성렬"


def test_made_up_names_at_a_shared_address_do_not_lock_out_who_logs_in_there(runtime, kim):
    """Behind one NAT, or a proxy not (yet) trusted, everyone has one address: whoever guesses there
    holds back new names from it, not the people who have logged in from it before."""
    assert attempt(runtime, "kimsr", "비밀번호-2026", address="10.0.0.1") == "김성렬"
    for name in ("a", "b", "c", "d", "e", "f", "g"):
        with pytest.raises((LoginRefused, LoginThrottled)):
            attempt(runtime, name, "guess", address="10.0.0.1")
    with pytest.raises(LoginThrottled):
        attempt(runtime, "someone-new", "guess", address="10.0.0.1")
    assert attempt(runtime, "kimsr", "비밀번호-2026", address="10.0.0.1") == "김성렬"


def test_passwords_have_a_minimum_length_and_are_never_stored_plain():
    with pytest.raises(BadPassword):
        hash_password("short")
    stored = hash_password("비밀번호-2026")
    assert stored.startswith("scrypt$") and "비밀번호" not in stored


def test_attempts_older_than_the_audit_needs_are_forgotten(runtime, kim):
    attempt(runtime, "kimsr", "비밀번호-2026")
    with runtime.sessions.begin() as session:
        session.add(LoginAttempt(login="kimsr", remote_address="10.0.0.7", succeeded=False,
                                 at=utcnow() - timedelta(days=91)))
    with runtime.sessions.begin() as session:
        assert forget_old_attempts(session) == 1
    with runtime.sessions() as session:
        assert [a.succeeded for a in session.scalars(select(LoginAttempt))] == [True]
