"""Logging in and out: the session cookie carries the login, and only JSON from this site changes it."""

import pytest

from printrelease.accounts.passwords import hash_password
from printrelease.accounts.service import add_user
from tests.webui.conftest import form_token

PASSWORD = "비밀번호-2026"


@pytest.fixture
def kim(runtime):
    with runtime.sessions.begin() as session:
        user = add_user(session, "kimsr", "김성렬", department_code="budget", department_name="예산담당관")
        user.password_hash = hash_password(PASSWORD)


def log_in(client, login="kimsr", password=PASSWORD, **kwargs):
    return client.post("/api/v1/session", json={"login": login, "password": password}, **kwargs)


def test_logging_in_shows_who_you_are(client, kim):
    assert client.get("/api/v1/me").status_code == 401
    answer = log_in(client)
    assert answer.status_code == 201 and answer.json == {"login": "kimsr", "display_name": "김성렬"}
    assert "김성렬".encode() in answer.data and answer.mimetype == "application/json"
    me = client.get("/api/v1/me").json
    assert me["display_name"] == "김성렬" and me["department"] == {"code": "budget", "name": "예산담당관"}
    assert me["cards"] == []


def test_a_wrong_password_is_401_and_sets_nothing(client, kim):
    answer = log_in(client, password="nope-nope")
    assert answer.status_code == 401 and answer.json["message"] == "wrong login name or password"
    assert client.get("/api/v1/me").status_code == 401


def test_guessing_is_stopped_with_429(client, kim):
    for _ in range(5):
        assert log_in(client, password="guess-guess").status_code == 401
    answer = log_in(client)
    assert answer.status_code == 429 and "try again" in answer.json["message"]


def test_logging_out_forgets_the_login(client, kim):
    log_in(client)
    assert client.delete("/api/v1/session", headers={"Content-Type": "application/json"}).status_code == 204
    assert client.get("/api/v1/me").status_code == 401


def test_a_login_needs_both_fields(client, kim):
    answer = client.post("/api/v1/session", json={"login": "kimsr"})
    assert answer.status_code == 400 and "password" in answer.json["message"]


@pytest.mark.parametrize("how", ["form", "foreign origin"])
def test_requests_another_site_could_make_are_refused(client, kim, how):
    if how == "form":
        answer = client.post("/api/v1/session", data={"login": "kimsr", "password": PASSWORD})
    else:
        answer = log_in(client, headers={"Origin": "https://evil.example"})
    assert answer.status_code == 403
    assert client.get("/api/v1/me").status_code == 401


def test_the_session_cookie_is_signed_httponly_and_samesite(client, kim):
    cookie = log_in(client).headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    # A cookie whose signature does not match is ignored, not believed.
    client.set_cookie("session", cookie.split(";")[0].split("=", 1)[1][:-4] + "AAAA")
    assert client.get("/api/v1/me").status_code == 401


def test_behind_https_the_cookie_is_marked_secure(runtime, kim):
    from dataclasses import replace

    from printrelease.runtime import Runtime
    from webui import create_app

    secure = Runtime(replace(runtime.settings, secure_cookies=True))
    try:
        client = create_app({"TESTING": True}, runtime=secure).test_client()
        assert "Secure" in log_in(client).headers["Set-Cookie"]
    finally:
        secure.close()


def test_a_user_disabled_after_logging_in_is_logged_out(client, runtime, kim):
    from printrelease.accounts.service import set_active

    log_in(client)
    with runtime.sessions.begin() as session:
        set_active(session, "kimsr", False)
    assert client.get("/api/v1/me").status_code == 401
    with runtime.sessions.begin() as session:
        set_active(session, "kimsr", True)
    assert client.get("/api/v1/me").status_code == 401, "the old session is gone, not resumed"


def session_cookie(client) -> str:
    return client.get_cookie("session").value


def test_the_cookie_carries_a_random_token_not_the_login(client, app, kim):
    log_in(client)
    payload = app.session_interface.get_signing_serializer(app).loads(session_cookie(client))
    assert set(payload) == {"sid", "_permanent"} and "kimsr" not in str(payload)


@pytest.mark.parametrize("how", ["json delete", "form post"])
def test_a_cookie_copied_before_logout_is_worthless_after_it(app, client, kim, how):
    log_in(client)
    stolen = session_cookie(client)
    if how == "json delete":
        assert client.delete("/api/v1/session", headers={"Content-Type": "application/json"}).status_code == 204
    else:
        answer = client.post("/logout", data={"csrf_token": form_token(client, "/jobs")})
        assert answer.status_code == 303 and answer.headers["Location"] == "/login"
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    assert thief.get("/api/v1/me").status_code == 401


@pytest.mark.parametrize("how", ["api", "page"])
def test_a_new_login_ends_the_browsers_previous_session(app, client, runtime, kim, how):
    """Logging in again (as anyone) on a browser replaces its session on the server too: a copy of the
    cookie from before, planted or stolen, is worth nothing after it."""
    from printrelease.accounts.models import WebSession

    log_in(client)
    before = session_cookie(client)
    if how == "api":
        assert log_in(client).status_code == 201
    else:
        answer = client.post("/login", data={"login": "kimsr", "password": PASSWORD, "csrf_token": form_token(client)})
        assert answer.status_code == 303
    assert session_cookie(client) != before and client.get("/api/v1/me").status_code == 200
    old = app.test_client()
    old.set_cookie("session", before)
    assert old.get("/api/v1/me").status_code == 401
    with runtime.sessions() as session:
        assert session.query(WebSession).count() == 1, "one browser, one session on the server"


def test_a_logout_form_from_another_site_is_refused(client, kim):
    log_in(client)
    assert client.post("/logout").status_code == 400, "no CSRF token"
    answer = client.post("/logout", data={"csrf_token": form_token(client, "/jobs")},
                         headers={"Origin": "https://evil.example"})
    assert answer.status_code == 403
    assert client.get("/api/v1/me").status_code == 200


def test_a_password_change_ends_every_session_of_that_user(app, client, runtime, kim):
    from printrelease.accounts.service import add_user, set_password

    with runtime.sessions.begin() as session:
        add_user(session, "leejy", "이지영").password_hash = hash_password("이지영의 비밀번호")
    other_device, colleague = app.test_client(), app.test_client()
    log_in(client), log_in(other_device)
    assert colleague.post("/api/v1/session", json={"login": "leejy", "password": "이지영의 비밀번호"}).status_code == 201
    with runtime.sessions.begin() as session:
        set_password(session, "kimsr", "새 비밀번호-2027")
    assert client.get("/api/v1/me").status_code == 401 and other_device.get("/api/v1/me").status_code == 401
    assert colleague.get("/api/v1/me").json["login"] == "leejy", "other users' sessions go on"
    assert log_in(client, password="새 비밀번호-2027").status_code == 201


def test_an_expired_session_is_no_login(client, runtime, kim):
    from sqlalchemy import update

    from printrelease.accounts.models import WebSession
    from printrelease.db import utcnow

    log_in(client)
    with runtime.sessions.begin() as session:
        session.execute(update(WebSession).values(expires_at=utcnow()))
    assert client.get("/api/v1/me").status_code == 401
