"""The prices page, on SQLite and PostgreSQL: the prices in force with the two-sided discount, a new price
from now or from a later day (never the past: the core refuses), printers' own prices and their end, the
history by page; every change audited."""

from __future__ import annotations

from datetime import timedelta

import pytest

from printrelease.accounts.service import get_user, set_language
from printrelease.db import utcnow
from printrelease.localtime import local_now
from printrelease.printers.models import Printer
from printrelease.prices.service import set_price
from tests.webui.admin_helpers import ADDRESS, entries, flashed, post, text


@pytest.fixture
def admin(client_as, runtime):
    with runtime.sessions.begin() as session:
        session.add(Printer(name="dept-a", cups_queue="dept-a", location="3층"))
    return client_as("admin")


def today(runtime):
    return local_now(runtime.settings.timezone).date()


def test_a_price_from_now_shows_at_once_with_its_two_sided_discount(admin, runtime):
    assert "정한 가격이 없습니다. 출력은 무료입니다." in text(admin.get("/admin/prices"))
    answer = post(admin, "/admin/prices/set", {"size": "A4", "mono": "20", "colour": "100", "mono_duplex": "15"})
    assert "A4의 새 가격을 정했습니다" in flashed(admin, answer.headers["Location"])
    page = text(admin.get("/admin/prices"))
    site = page.split('id="site-caption"')[1].split("</table>")[0]
    assert "₩20" in site and "₩100" in site and "₩15" in site and "25% 할인" in site
    assert "Letter" in site and "A4 가격" in site, "Letter is charged as A4"
    (entry,) = entries(runtime, "prices.set")
    assert (entry.actor, entry.target, entry.address) == ("choihs", "A4 at site", ADDRESS)
    assert entry.detail.replace("\xa0", " ").endswith(": KRW 20 / KRW 100, two-sided KRW 15 / KRW 100")
    with runtime.sessions.begin() as session:
        set_language(session, get_user(session, "choihs"), "en")
    assert "KRW\xa020" in text(admin.get("/admin/prices"))


def test_a_price_starts_on_a_later_day_never_in_the_past(admin, runtime):
    post(admin, "/admin/prices/set", {"size": "A4", "mono": "20", "colour": "100"})
    later = today(runtime) + timedelta(days=10)
    post(admin, "/admin/prices/set", {"size": "A4", "mono": "25", "colour": "120", "valid_from": later.isoformat()})
    page = text(admin.get("/admin/prices"))
    assert "나중에 적용될 가격" in page and "₩25 / ₩120" in page
    assert "₩25" not in page.split('id="site-caption"')[1].split("</table>")[0], "still ₩20 now"
    for day in (today(runtime), today(runtime) - timedelta(days=1)):
        refused = post(admin, "/admin/prices/set", {"size": "A4", "mono": "30", "colour": "130",
                                                    "valid_from": day.isoformat()})
        assert refused.status_code == 400 and "가격은 과거부터 적용할 수 없습니다" in text(refused)
    bad = post(admin, "/admin/prices/set", {"size": "A4", "mono": "이십", "colour": "100"})
    assert bad.status_code == 400 and "이십은(는) KRW 금액이 아닙니다" in text(bad)
    assert post(admin, "/admin/prices/set", {"size": "A5", "mono": "1", "colour": "1"}).status_code == 400
    assert len(entries(runtime, "prices.set")) == 2


def test_a_printers_own_price_overrides_the_sites_until_it_is_ended(admin, runtime):
    post(admin, "/admin/prices/set", {"size": "A4", "mono": "20", "colour": "100"})
    post(admin, "/admin/prices/set", {"size": "A4", "mono": "30", "colour": "150", "printer": "dept-a"})
    overrides = text(admin.get("/admin/prices")).split('id="overrides-caption"')[1].split("</table>")[0]
    assert "dept-a" in overrides and "₩30" in overrides
    answer = post(admin, "/admin/prices/end-override", {"end-printer": "dept-a", "end-size": "A4"})
    assert "dept-a의 A4 출력은 다시 기관 공통 가격으로 청구됩니다" in flashed(admin, answer.headers["Location"])
    page = text(admin.get("/admin/prices"))
    assert 'id="overrides-caption"' not in page and "다시 기관 공통 가격" in page
    assert [(e.action, e.target) for e in entries(runtime)] == [
        ("prices.set", "A4 at site"), ("prices.set", "A4 at dept-a"), ("prices.end_override", "A4 at dept-a")]
    assert entries(runtime)[-1].detail.endswith(": site prices again")
    assert post(admin, "/admin/prices/end-override", {"end-printer": "nope", "end-size": "A4"}).status_code == 400
    with runtime.sessions.begin() as session:
        session.add(Printer(name="dept-b", cups_queue="dept-b"))
    plain = post(admin, "/admin/prices/end-override", {"end-printer": "dept-b", "end-size": "A4"})
    assert plain.status_code == 400, "dept-b has no price of its own to end"


def test_the_history_is_newest_first_by_page(admin, runtime):
    start = utcnow() + timedelta(days=1)
    with runtime.sessions.begin() as session:
        for n in range(30):
            set_price(session, "A3", "KRW", str(40 + n), "200", valid_from=start + timedelta(days=n), actor="finance")
    first = text(admin.get("/admin/prices"))
    history = first.split('id="history-heading"')[1]
    assert history.count("아직 적용 전") == 25 and "₩69" in history and "₩44" not in history
    assert "2쪽 중 1쪽" in history
    second = text(admin.get("/admin/prices?page=2")).split('id="history-heading"')[1]
    assert "₩44" in second and "₩40" in second


@pytest.mark.parametrize("amount, why", [("-20", "₩0부터 ₩10,000,000까지"), ("1e999999", "₩0부터 ₩10,000,000까지"),
                                         ("99999999999", "₩0부터 ₩10,000,000까지"), ("20.001", "소수점"),
                                         ("NaN", "금액이 아닙니다")])
def test_an_amount_out_of_range_is_refused_with_why(admin, runtime, amount, why):
    answer = post(admin, "/admin/prices/set", {"size": "A4", "mono": "20", "colour": amount})
    assert answer.status_code == 400 and why in text(answer), text(answer)
    assert entries(runtime, "prices.set") == []
