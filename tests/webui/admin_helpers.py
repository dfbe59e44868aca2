"""What the administration pages' tests share: the admin's client, SQLite alone for pages that do not
depend on the database, posting a form from an address, and reading back the audit trail.

A test module takes the fixtures by importing them: `from tests.webui.admin_helpers import admin`."""

from __future__ import annotations

import html

import pytest
from sqlalchemy import select

from printrelease.audit.models import AuditEntry
from tests.webui.conftest import form_token

ADDRESS = "10.20.30.40"  # where the admin's browser is, as the request (and ProxyFix) says


@pytest.fixture
def admin(client_as):
    """A client logged in as 최현수 (choihs), the admin of tests/webui/conftest.py's people."""
    return client_as("admin")


@pytest.fixture(name="database_url")
def sqlite_only(tmp_path, request):
    """For pages that work alike on either database: SQLite only (imported, it replaces both)."""
    from tests.conftest import fresh_database

    return fresh_database(request, "sqlite", tmp_path)


def post(client, path: str, data: dict | None = None, **kwargs):
    """POST a form with this client's CSRF token, from ADDRESS."""
    token = form_token(client, "/admin")
    return client.post(path, data={**(data or {}), "csrf_token": token},
                       environ_base={"REMOTE_ADDR": ADDRESS}, **kwargs)


def text(answer) -> str:
    """The page's text with HTML's character references read back ("'" for "&#39;")."""
    return html.unescape(answer.get_data(as_text=True))


def entries(runtime, action: str | None = None) -> list[AuditEntry]:
    """The trail, oldest first (only `action`'s entries if given)."""
    with runtime.sessions() as session:
        query = select(AuditEntry).order_by(AuditEntry.id)
        if action:
            query = query.where(AuditEntry.action == action)
        return list(session.scalars(query))


def flashed(client, path: str) -> str:
    """The page `path` as the browser sees it after a redirect, with the message the change left."""
    answer = client.get(path)
    assert answer.status_code == 200, answer.status_code
    return text(answer)
