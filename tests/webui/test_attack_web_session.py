"""The session cookie, no longer signed again for every response, still ends with the server's session."""

from __future__ import annotations

from datetime import timedelta

import pytest
from itsdangerous.timed import TimestampSigner

from printrelease.accounts import sessions as web_sessions
from printrelease.db import utcnow
from tests.webui.conftest import PASSWORD, form_token, log_in


@pytest.fixture
def clock(monkeypatch):
    """Moves the server's clock (sessions' expiry and idle time) and the cookie signer's together."""

    class Clock:
        offset = timedelta(0)

        def move(self, by: timedelta) -> None:
            self.offset += by

    clock = Clock()
    signed_now = TimestampSigner.get_timestamp
    monkeypatch.setattr(web_sessions, "utcnow", lambda: utcnow() + clock.offset)
    monkeypatch.setattr(TimestampSigner, "get_timestamp",
                        lambda self: signed_now(self) + int(clock.offset.total_seconds()))
    return clock


def session_cookies(answer) -> list[str]:
    return [value for value in answer.headers.getlist("Set-Cookie") if value.startswith("session=")]


def stay_active(client, clock, hours: float) -> None:
    """A page every 20 minutes (never idle) for `hours`, each one still logged in."""
    for _ in range(int(timedelta(hours=hours) / timedelta(minutes=20))):
        clock.move(timedelta(minutes=20))
        assert client.get("/api/v1/me").status_code == 200, clock.offset


def test_an_idle_session_ends_and_its_cookie_loses_the_token(client, people, clock):
    log_in(client, "kimsr")
    assert session_cookies(client.get("/jobs")), "the form key goes in once"
    clock.move(timedelta(minutes=25))
    answer = client.get("/jobs")
    assert answer.status_code == 200 and session_cookies(answer) == [], "active: the cookie is left as it is"
    clock.move(web_sessions.SEEN_EVERY + timedelta(minutes=32))
    answer = client.get("/jobs")
    assert answer.status_code == 303 and "/login" in answer.headers["Location"]
    assert session_cookies(answer), "the token is taken out of the browser's cookie"
    app = client.application
    assert "sid" not in app.session_interface.get_signing_serializer(app).loads(client.get_cookie("session").value)
    assert client.get("/api/v1/me").status_code == 401


def test_an_active_session_lasts_its_eight_hours_on_a_cookie_signed_at_the_login(client, people, clock):
    """Flask refuses a cookie signed longer than PERMANENT_SESSION_LIFETIME ago, and it is now signed only
    when it changes: it must last as long as the server's session, and no longer."""
    log_in(client, "kimsr")
    stay_active(client, clock, hours=7 + 40 / 60)  # /api/v1/me writes nothing into the cookie: the login's
    clock.move(timedelta(minutes=19))
    assert client.get("/api/v1/me").status_code == 200, "7 h 59 min: still in"
    clock.move(timedelta(minutes=2))
    assert client.get("/api/v1/me").status_code == 401
    assert client.get("/jobs").status_code == 303


def test_logging_in_again_writes_a_fresh_cookie_and_logging_out_removes_it(app, client, people, clock):
    first = session_cookies(client.post("/api/v1/session", json={"login": "kimsr", "password": PASSWORD}))
    stay_active(client, clock, hours=2)
    again = client.post("/login", data={"login": "kimsr", "password": PASSWORD, "csrf_token": form_token(client)})
    assert again.status_code == 303 and session_cookies(again) and session_cookies(again) != first
    assert "Expires=" in session_cookies(again)[0], "a lasting cookie again, counted from this login"
    stay_active(client, clock, hours=7)  # 9 h after the first login, 7 h after this one
    answer = client.post("/logout", data={"csrf_token": form_token(client, "/jobs")})
    assert answer.status_code == 303 and any("session=;" in c for c in session_cookies(answer))
    assert client.get("/api/v1/me").status_code == 401
