"""What the administration pages' tests share: posting a form as the admin, from an address, and reading
back the audit trail."""

from __future__ import annotations

import html

from sqlalchemy import select

from printrelease.audit.models import AuditEntry
from tests.webui.conftest import form_token

ADDRESS = "10.20.30.40"  # where the admin's browser is, as the request (and ProxyFix) says


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
