"""Machine tokens: stored hashed, checked by kind, and remembered briefly on the capture path."""

import pytest

from printrelease.credentials.models import ApiToken
from printrelease.credentials.service import CAPTURE, BadCredentials, VerifiedTokens, authenticate, issue_token, revoke


@pytest.fixture
def token(runtime):
    with runtime.sessions.begin() as session:
        return issue_token(session, CAPTURE, "secure-print")[1]


def test_only_the_hash_is_stored_and_the_kind_must_match(runtime, token):
    with runtime.sessions() as session:
        (stored,) = session.query(ApiToken).all()
        assert token not in stored.token_hash and len(stored.token_hash) == 64
        assert authenticate(session, CAPTURE, token).name == "secure-print"
        for kind, value in ((CAPTURE, token + "x"), ("station", token), (CAPTURE, "")):
            with pytest.raises(BadCredentials):
                authenticate(session, kind, value)


def test_a_verified_token_is_remembered_for_its_ttl_only(runtime, token):
    remembered, forgetful = VerifiedTokens(runtime.sessions, ttl=60), VerifiedTokens(runtime.sessions, ttl=0)
    first = remembered.check(CAPTURE, token)
    assert forgetful.check(CAPTURE, token) == first
    with runtime.sessions.begin() as session:
        revoke(session, CAPTURE, "secure-print")
    assert remembered.check(CAPTURE, token) == first  # within the TTL: no database round trip
    with pytest.raises(BadCredentials):
        forgetful.check(CAPTURE, token)


def test_failures_are_not_remembered(runtime):
    tokens = VerifiedTokens(runtime.sessions, ttl=60)
    with pytest.raises(BadCredentials):
        tokens.check(CAPTURE, "not-yet-issued")
    with pytest.raises(BadCredentials):
        tokens.check(CAPTURE, None)
    with runtime.sessions.begin() as session:
        fresh = issue_token(session, CAPTURE, "secure-print-2")[1]
    assert tokens.check(CAPTURE, fresh) > 0
    with pytest.raises(BadCredentials):
        tokens.check("station", fresh)
