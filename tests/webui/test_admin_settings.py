"""The settings page: hold time and size limit set (checked by the core, with its message), in force at once
for this server's uploads and captures, reset to the configuration's value; audited."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.webui import admin_helpers
from tests.webui.admin_helpers import ADDRESS, entries, flashed, post, text

admin = admin_helpers.admin  # the fixture: the admin's client
database_url = admin_helpers.sqlite_only  # the fixture: this page works alike on SQLite and PostgreSQL


def test_a_setting_applies_at_once_and_is_reset_to_the_configurations(admin, runtime):
    page = text(admin.get("/admin/settings"))
    assert 'value="24"' in page and "설정 파일의 값입니다" in page
    assert runtime.capture_policy.max_job_bytes == 5_000_000
    answer = post(admin, "/admin/settings", {"name": "max_job_bytes", "value": "200M"})
    assert "받을 수 있는 가장 큰 문서: 이제 200M입니다." in flashed(admin, answer.headers["Location"])
    assert runtime.capture_policy.max_job_bytes == 200 * 1024 * 1024, "this process at once"
    post(admin, "/admin/settings", {"name": "hold_hours", "value": "48"})
    assert runtime.capture_policy.hold_time == timedelta(hours=48)
    page = text(admin.get("/admin/settings"))
    assert 'value="200M"' in page and 'value="48"' in page and "choihs이(가) 정했습니다" in page
    reset = post(admin, "/admin/settings/reset", {"name": "hold_hours"})
    assert "다시 설정 파일의 값을 씁니다" in flashed(admin, reset.headers["Location"])
    assert runtime.capture_policy.hold_time == timedelta(hours=24)
    assert [(e.action, e.target, e.detail, e.address) for e in entries(runtime)] == [
        ("settings.set", "max_job_bytes", str(200 * 1024 * 1024), ADDRESS),
        ("settings.set", "hold_hours", "48", ADDRESS), ("settings.reset", "hold_hours", "", ADDRESS)]


@pytest.mark.parametrize("name, value, words", [
    ("hold_hours", "0.1", "0.25"), ("hold_hours", "하루", "0.25"), ("max_job_bytes", "100K", "1M"),
    ("max_job_bytes", "lots", "200M")])
def test_a_value_the_core_refuses_is_shown_with_why_beside_its_field(admin, runtime, name, value, words):
    answer = post(admin, "/admin/settings", {"name": name, "value": value})
    html = text(answer)
    assert answer.status_code == 400 and f'value="{value}"' in html and 'aria-invalid="true"' in html
    assert words in html.split('class="errors"')[1].split("</ul>")[0]
    assert entries(runtime) == []
    assert post(admin, "/admin/settings", {"name": "secret_key", "value": "x"}).status_code == 400
