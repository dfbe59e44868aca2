"""The pages' common ground: logging in and out, the language, error pages in two faces, CSRF, headers,
session expiry, and never an open redirect."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from printrelease.accounts.models import WebSession
from printrelease.db import utcnow
from tests.webui.conftest import PASSWORD, form_token


def log_in_with_the_form(client, login="kimsr", password=PASSWORD, next_page=""):
    token = form_token(client)
    return client.post("/login", data={"login": login, "password": password, "next": next_page, "csrf_token": token})


def test_the_login_form_logs_in_and_goes_where_it_was_asked(client, people):
    first = client.get("/jobs")
    assert first.status_code == 303 and first.headers["Location"] == "/login?next=/jobs"
    answer = log_in_with_the_form(client, next_page="/cards")
    assert answer.status_code == 303 and answer.headers["Location"] == "/cards"
    page = client.get("/cards").get_data(as_text=True)
    assert "김성렬" in page and 'action="/logout"' in page


def test_a_wrong_password_says_so_in_korean_and_logs_nobody_in(client, people):
    answer = log_in_with_the_form(client, password="틀린-비밀번호")
    assert answer.status_code == 401
    assert "로그인 이름 또는 비밀번호가 틀렸습니다" in answer.get_data(as_text=True)
    assert client.get("/jobs").status_code == 303


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/jobs", "/\\evil.example", "http:/x",
                                    "javascript:alert(1)", "/jobs\r\nLocation: https://evil.example", ""])
def test_next_never_leaves_the_site(client, people, target):
    answer = log_in_with_the_form(client, next_page=target)
    assert answer.status_code == 303 and answer.headers["Location"] == "/jobs"


def test_the_login_form_needs_its_csrf_token(client, people):
    answer = client.post("/login", data={"login": "kimsr", "password": PASSWORD})
    assert answer.status_code == 400 and "양식이 오래되었거나" in answer.get_data(as_text=True)
    assert client.get("/jobs").status_code == 303


def test_logging_out_ends_the_session_on_the_server(client, people, app):
    log_in_with_the_form(client)
    stolen = client.get_cookie("session").value
    answer = client.post("/logout", data={"csrf_token": form_token(client, "/jobs")})
    assert answer.status_code == 303 and answer.headers["Location"] == "/login"
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    assert thief.get("/jobs").status_code == 303


def test_a_session_left_idle_ends(client, people, runtime, app):
    log_in_with_the_form(client)
    assert client.get("/jobs").status_code == 200
    idle = app.config["SESSION_IDLE_TIMEOUT"]
    with runtime.sessions.begin() as session:
        session.execute(update(WebSession).values(last_seen_at=utcnow() - idle - timedelta(minutes=2)))
    assert client.get("/jobs").status_code == 303
    with runtime.sessions() as session:
        assert session.query(WebSession).count() == 0, "the idle session is ended on the server"


def test_language_korean_by_default_then_the_browser_then_the_choice(client, people):
    assert '<html lang="ko">' in client.get("/login").get_data(as_text=True)
    english = client.get("/login", headers={"Accept-Language": "en-US,en;q=0.9"}).get_data(as_text=True)
    assert '<html lang="en">' in english and "Log in" in english
    answer = client.post("/language", data={"language": "en", "next": "/login", "csrf_token": form_token(client)})
    assert answer.status_code == 303 and answer.headers["Location"] == "/login"
    assert "lang=en" in answer.headers["Set-Cookie"]
    assert '<html lang="en">' in client.get("/login", headers={"Accept-Language": "ko"}).get_data(as_text=True)


def test_the_language_switch_needs_a_token_and_stays_on_the_site(client, people):
    assert client.post("/language", data={"language": "en"}).status_code == 400
    answer = client.post("/language", data={"language": "en", "next": "https://evil.example/",
                                            "csrf_token": form_token(client)})
    assert answer.headers["Location"] == "/jobs"


def test_errors_are_pages_for_people_and_json_for_programs(client, people):
    page = client.get("/no-such-page")
    assert page.status_code == 404 and page.mimetype == "text/html"
    assert "그런 페이지가 없습니다" in page.get_data(as_text=True)
    english = client.get("/no-such-page", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "There is no such page." in english
    api = client.get("/api/v1/no-such-thing")
    assert api.status_code == 404 and api.mimetype == "application/json" and api.json["error"] == "not_found"
    assert api.json["message"] == "There is no such page.", "for programs: English unless they ask"
    korean = client.get("/api/v1/no-such-thing", headers={"Accept-Language": "ko"})
    assert korean.json["message"] == "그런 페이지가 없습니다." and korean.json["error"] == "not_found"
    assert client.get("/api/v1/me").json["error"] == "not_logged_in"


def test_pages_come_with_headers_that_keep_scripts_and_frames_out(client, people):
    answer = client.get("/login")
    csp = answer.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.headers["Referrer-Policy"] == "same-origin"
    assert answer.headers["Cache-Control"] == "no-store"
    assert "<script>" not in answer.get_data(as_text=True), "no inline scripts"


def test_static_assets_are_served_by_the_app(client):
    for path in ("/static/css/site.css", "/static/vendor/htmx/htmx.min.js", "/static/js/site.js"):
        answer = client.get(path)
        assert answer.status_code == 200, path
        answer.close()


def test_a_part_of_a_page_refreshing_after_the_session_ended_sends_the_whole_page_to_the_login(client, people):
    answer = client.get("/jobs/printers", headers={"HX-Request": "true"})
    assert answer.status_code == 401 and answer.headers["HX-Redirect"] == "/login"


WERKZEUG_WORDS = ("Bad Request", "Forbidden", "Method Not Allowed", "Request Entity Too Large", "Not Found",
                  "Internal Server Error", "The server could not", "The browser (or proxy)", "You don't have")


def test_http_error_pages_are_in_the_readers_language(runtime, people):
    """Werkzeug's own English ("403 Forbidden: You don't have the permission...") never reaches a page."""
    from flask import abort

    from webui import create_app

    app = create_app({"TESTING": False}, runtime=runtime)  # unexpected failures answered, as in production
    app.add_url_rule("/test-forbidden", "forbidden", lambda: abort(403))
    app.add_url_rule("/test-bad", "bad", lambda: abort(400))
    app.add_url_rule("/test-broken", "broken", lambda: 1 / 0)
    app.add_url_rule("/test-aborted", "aborted", lambda: abort(500))
    client = app.test_client()
    answers = {"403": client.get("/test-forbidden"), "400": client.get("/test-bad"),
               "500": client.get("/test-broken"), "500 aborted": client.get("/test-aborted"),
               "404": client.get("/no-such-page"), "405": client.get("/jobs/release"),
               "413": client.post("/login", data={"login": "x" * 10_000}),
               "csrf": client.post("/login", data={"login": "kimsr", "password": "x"})}
    korean = {"403": "허용되지", "400": "요청을", "500": "처리하지 못했습니다", "500 aborted": "처리하지 못했습니다", "404": "그런 페이지가 없습니다",
              "405": "이 주소는", "413": "너무 큽니다", "csrf": "양식"}
    for name, answer in answers.items():
        page = answer.get_data(as_text=True)
        assert answer.mimetype == "text/html" and answer.status_code == int(name[:3].replace("csr", "400")), name
        assert korean[name] in page, (name, page)
        assert not any(words in page for words in WERKZEUG_WORDS), (name, page)
    english = client.get("/test-forbidden", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "You may not" in english and "Forbidden" not in english
