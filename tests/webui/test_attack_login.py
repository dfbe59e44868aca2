"""Attacked at the login: on a site that checks passwords against its directory (LDAP), the web pages
and the session API took local passwords only, so nobody from the directory could log in, and a
directory that is down must say so rather than count as a wrong password."""

from dataclasses import replace

import pytest
from sqlalchemy import func, select

from printrelease.accounts.models import LoginAttempt
from printrelease.config import LdapSettings
from printrelease.runtime import Runtime
from sandbox.cupsd import free_port
from tests.webui.conftest import form_token


@pytest.fixture
def directory_client(runtime, slapd):
    from webui import create_app

    settings = replace(runtime.settings, ldap=LdapSettings.from_values(slapd.settings()))
    return create_app({"TESTING": True}, runtime=Runtime(settings)).test_client()


def test_a_directory_user_logs_in_on_the_page_and_through_the_api(directory_client):
    page = directory_client.post("/login", data={"login": "kimsr", "password": "kim-ldap-2026",
                                                 "csrf_token": form_token(directory_client)})
    assert page.status_code == 303, page.text
    assert directory_client.get("/api/v1/me").json["display_name"] == "김성렬"
    assert directory_client.post("/api/v1/session", json={"login": "kimsr", "password": "kim-ldap-2026"}
                                 ).status_code == 201
    assert directory_client.post("/api/v1/session", json={"login": "kimsr", "password": "wrong"}).status_code == 401


def test_a_directory_that_is_down_says_so_and_counts_no_failure(runtime):
    from webui import create_app

    down = LdapSettings(url=f"ldap://127.0.0.1:{free_port()}", user_dn="uid={login},ou=people,dc=example,dc=go,dc=kr",
                        timeout=1)
    client = create_app({"TESTING": True}, runtime=Runtime(replace(runtime.settings, ldap=down))).test_client()
    page = client.post("/login", data={"login": "kimsr", "password": "x", "csrf_token": form_token(client)})
    assert page.status_code == 503
    assert client.post("/api/v1/session", json={"login": "kimsr", "password": "x"}).status_code == 503
    with runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(LoginAttempt)) == 0, "no password was checked"
