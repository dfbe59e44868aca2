"""The audit trail page, on SQLite and PostgreSQL: newest first, filtered by who, what (one action or an
area's) and the site's days, by page; and the address of a change as the trusted proxy reports it."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from printrelease.audit.models import AuditEntry
from printrelease.runtime import Runtime
from tests.webui import admin_helpers
from tests.webui.admin_helpers import entries, post, text

admin = admin_helpers.admin  # the fixture: the admin's client

SEOUL = timezone(timedelta(hours=9))


@pytest.fixture
def trail(runtime):
    """120 entries, one an hour from 2026-03-01 00:00 KST: every third by cli:root, the rest by choihs;
    actions users.set_role, users.disable and printers.sync in turn."""
    start = datetime(2026, 3, 1, tzinfo=SEOUL)
    actions = ("users.set_role", "users.disable", "printers.sync")
    with runtime.sessions.begin() as session:
        session.add_all([AuditEntry(at=start + timedelta(hours=n), actor="cli:root" if n % 3 == 0 else "choihs",
                                    action=actions[n % 3], target=f"target-{n:03d}", detail=f"detail {n}",
                                    address="" if n % 3 == 0 else "10.0.0.1") for n in range(120)])


def targets(html: str) -> list[str]:
    return [part.split("<")[0] for part in html.split("<td>target-")[1:]]


def test_the_trail_is_newest_first_by_page(admin, trail):
    first = text(admin.get("/admin/audit"))
    assert "120건입니다" in first and "3쪽 중 1쪽" in first
    assert targets(first)[:2] == ["119", "118"] and len(targets(first)) == 50
    assert targets(text(admin.get("/admin/audit?page=3"))) == [f"{n:03d}" for n in range(19, -1, -1)]


def test_the_trail_is_filtered_by_who_what_and_days(admin, trail):
    cli = text(admin.get("/admin/audit?actor=cli:root"))
    assert "40건입니다" in cli and set(targets(cli)) == {f"{n:03d}" for n in range(0, 120, 3)}
    users = text(admin.get("/admin/audit?action=users."))
    assert "80건입니다" in users and "printers.sync" not in users.split("<tbody>")[1]
    one = text(admin.get("/admin/audit?action=users.disable&actor=choihs"))
    assert "40건입니다" in one
    day = text(admin.get("/admin/audit?since=2026-03-02&until=2026-03-02"))
    assert "24건입니다" in day and targets(day)[0] == "047" and targets(day)[-1] == "024"
    pager = admin.get("/admin/audit?action=users.").get_data(as_text=True)
    assert 'href="/admin/audit?page=2&amp;action=users."' in pager
    assert "이 기간에 바뀐 것이 없습니다" in text(admin.get("/admin/audit?since=2027-01-01"))
    assert admin.get("/admin/audit?since=yesterday").status_code == 400
    assert admin.get("/admin/audit?action=nothing.such").status_code == 400
    edge = admin.get("/admin/audit?until=9999-12-31")
    assert edge.status_code == 400 and "1년에서 9999년 사이의 날짜를 고르세요" in text(edge)


def test_a_changes_address_is_the_clients_as_the_trusted_proxy_reports_it(settings, people, client_as, runtime):
    from printrelease.accounts.service import get_user
    from printrelease.accounts.sessions import start_session
    from webui import create_app

    behind = Runtime(replace(settings, trusted_proxies=1))
    app = create_app({"TESTING": True}, runtime=behind)
    with behind.sessions.begin() as session:
        token = start_session(session, get_user(session, "choihs"))
    proxied = app.test_client()
    with proxied.session_transaction() as cookie:
        cookie["sid"] = token
    forwarded = {"X-Forwarded-For": "198.51.100.1, 203.0.113.9"}
    post(proxied, "/admin/settings", {"name": "hold_hours", "value": "12"}, headers=forwarded)
    post(client_as("admin"), "/admin/settings", {"name": "hold_hours", "value": "36"}, headers=forwarded)
    behind.close()
    assert [(e.detail, e.address) for e in entries(runtime, "settings.set")] == [
        ("12", "203.0.113.9"), ("36", "10.20.30.40")], "only the trusted proxy's word is taken"


def test_every_page_has_the_sub_navigation_with_the_page_it_is_on(admin):
    overview = admin.get("/admin").get_data(as_text=True)
    assert "사용자 4명." in overview and "프린터 0대." in overview
    assert '<a href="/admin" aria-current="page">개요</a>' in overview
    for path, label in (("/admin/printers", "프린터"), ("/admin/users", "사용자"), ("/admin/audit", "감사 기록"),
                        ("/admin/usage", "사용 내역 정정"), ("/admin/prices", "가격")):
        page = admin.get(path).get_data(as_text=True)
        assert f'<a href="{path}" aria-current="page">{label}</a>' in page, path
        assert page.count('aria-current="page"') == 2, "the main menu's Administration and this page"
