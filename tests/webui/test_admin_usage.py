"""Usage corrections, on SQLite and PostgreSQL: a printed job's usage row found by job, user and dates; a
refund or a correction made with a reason as a new row that refers to the original (which stays as it
was), the page showing both and the net; refusals with why; every correction audited."""

from __future__ import annotations

import pytest

from printrelease.usage.models import UsageRecord
from printrelease.usage.service import corrections_of, net_figures
from tests.printrelease.reports.month import REFUNDED, make_month
from tests.webui import admin_helpers
from tests.webui.admin_helpers import ADDRESS, entries, flashed, post, text

admin = admin_helpers.admin  # the fixture: the admin's client


@pytest.fixture
def month(runtime, people):
    """March 2026 of printing (tests/printrelease/reports/month.py): ids of the jobs, with their usage rows."""
    with runtime.sessions.begin() as session:
        return [(job.id, getattr(job, "usage_id", None)) for job in make_month(session)]


def test_a_jobs_row_is_found_by_its_job_its_user_or_dates(admin, runtime, month):
    job_id, row_id = month[1]
    by_job = text(admin.get(f"/admin/usage?job={job_id}"))
    assert "1건을 찾았습니다" in by_job and f'href="/admin/usage/record?id={row_id}"' in by_job
    refunded_job, refunded_row = month[REFUNDED]
    both = text(admin.get(f"/admin/usage?job={refunded_job}"))
    assert "2건을 찾았습니다" in both and f"내역 {refunded_row}의 정정" in both
    with runtime.sessions() as session:
        kims = session.query(UsageRecord).filter(UsageRecord.user_login == "kimsr").count()
    assert f"{kims}건을 찾았습니다" in text(admin.get("/admin/usage?user=kimsr&since=2026-01-01&until=2026-12-31"))
    assert "0건을 찾았습니다" in text(admin.get("/admin/usage?user=kimsr&since=2027-01-01"))
    assert "작업 번호, 사용자 또는 날짜를 넣어" in text(admin.get("/admin/usage"))
    assert admin.get("/admin/usage?since=2026-13-40").status_code == 400
    assert admin.get("/admin/usage?job=abc").status_code == 400


def test_a_refund_is_a_new_row_and_the_page_shows_both_and_the_net(admin, runtime, month):
    _job, row_id = month[1]
    page = text(admin.get(f"/admin/usage/record?id={row_id}"))
    assert "₩500" in page and "합계(순액)" in page
    answer = post(admin, "/admin/usage/correct", {"record": str(row_id), "refund": "y",
                                                  "reason": "용지 걸림으로 다시 출력함"})
    assert answer.headers["Location"] == f"/admin/usage/record?id={row_id}"
    page = flashed(admin, answer.headers["Location"])
    assert "정정을 새 내역으로 기록했습니다" in page
    assert f"내역 {row_id}의 정정" in page and "용지 걸림으로 다시 출력함 · choihs" in page
    assert "-₩500" in page and page.split('class="net"')[1].count("₩0") == 1
    with runtime.sessions() as session:
        original = session.get(UsageRecord, row_id)
        (refund,) = corrections_of(session, row_id)
        assert (original.cost, refund.cost, refund.corrected_by, refund.corrects_id) == (500, -500, "choihs", row_id)
        assert net_figures(session, row_id).cost == 0
    (entry,) = entries(runtime, "usage.correct")
    assert (entry.actor, entry.target, entry.address) == ("choihs", f"usage record {row_id}", ADDRESS)
    assert entry.detail == f"refund {refund.id}: 용지 걸림으로 다시 출력함"
    again = post(admin, "/admin/usage/correct", {"record": str(refund.id), "refund": "y", "reason": "또"})
    assert again.status_code == 400 and f"사용 기록 {row_id}은(는) 이미 이 수치입니다" in text(again)


def test_changed_sides_are_priced_again_at_the_jobs_price(admin, runtime, month):
    _job, row_id = month[1]  # 21 pages: 1 colour + 20 mono at ₩100 / ₩20
    post(admin, "/admin/usage/correct", {"record": str(row_id), "color_impressions": "0", "mono_impressions": "21",
                                         "reason": "컬러 쪽이 흑백으로 나옴"})
    with runtime.sessions() as session:
        net = net_figures(session, row_id)
    assert (net.color_impressions, net.mono_impressions, net.cost) == (0, 21, 420)
    page = text(admin.get(f"/admin/usage/record?id={row_id}")).split('class="net"')[1]
    assert "₩420" in page
    post(admin, "/admin/usage/correct", {"record": str(row_id), "cost": "300", "reason": "할인 합의"})
    with runtime.sessions() as session:
        assert net_figures(session, row_id).cost == 300


def test_a_correction_needs_a_reason_and_either_a_refund_or_figures(admin, runtime, month):
    _job, row_id = month[1]
    both = post(admin, "/admin/usage/correct", {"record": str(row_id), "refund": "y", "pages": "3", "reason": "x"})
    assert both.status_code == 400 and "둘 다는 안 됩니다" in text(both)
    neither = post(admin, "/admin/usage/correct", {"record": str(row_id), "reason": "x"})
    assert neither.status_code == 400
    no_reason = post(admin, "/admin/usage/correct", {"record": str(row_id), "refund": "y"})
    assert no_reason.status_code == 400 and 'aria-invalid="true"' in text(no_reason)
    below = post(admin, "/admin/usage/correct", {"record": str(row_id), "cost": "-5", "reason": "x"})
    assert below.status_code == 400 and "0보다 작아질 수 없습니다" in text(below)
    assert post(admin, "/admin/usage/correct", {"record": "999999", "refund": "y", "reason": "x"}).status_code == 404
    assert admin.get("/admin/usage/record?id=abc").status_code == 404
    assert entries(runtime) == []
