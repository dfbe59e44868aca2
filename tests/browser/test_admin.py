"""Administration in chromium, against the server process on the session's cupsd: an admin syncs the
printers from CUPS, creates a station (its token shown once), makes a kiosk pairing code and changes a
setting; the main admin pages in Korean and English (and at a phone's width), each checked by axe-core."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from printrelease.credentials.service import authenticate
from printrelease.jobs.models import JobState
from printrelease.site.models import SiteSetting
from printrelease.stations.models import Station
from printrelease.stations.service import STATION
from sandbox.documents import make_pdf
from tests.browser.conftest import PASSWORD

ADMIN = "choihs"


@pytest.fixture(scope="module")
def admin_web(web):
    """The stack with 최현수 (choihs), an administrator, and a price list."""
    web.cli("users", "add", ADMIN, "--name", "최현수", "--department", "budget", "--department-name", "예산담당관")
    web.cli("users", "set-role", ADMIN, "admin")
    web.cli("users", "set-password", ADMIN, "--password", PASSWORD)
    web.cli("prices", "set", "--size", "A4", "--mono", "20", "--colour", "100", "--mono-duplex", "15",
            "--colour-duplex", "80")
    return web


def test_an_admin_syncs_printers_creates_a_station_pairs_a_kiosk_and_changes_a_setting(admin_web, visitor):
    web = admin_web
    visitor.log_in(ADMIN)
    page = visitor.page
    page.get_by_role("link", name="관리").click()
    page.wait_for_url("**/admin")
    visitor.check()
    page.locator("nav.subnav").get_by_role("link", name="프린터").click()
    page.wait_for_url("**/admin/printers")
    visitor.check()
    page.get_by_role("button", name="CUPS에서 동기화").click()
    page.wait_for_url("**/admin/printers/sync")
    visitor.check()
    report = page.locator("section.report").inner_text()
    assert "CUPS와 동기화했습니다" in report and "discard" in report
    assert "secure-print: 건너뜀 (printrelease 수집용 대기열)" in report

    visitor.goto("/admin/stations")
    page.get_by_label("이름").fill("dept-3f-reader")
    page.get_by_label("카드를 대면 출력할 프린터").select_option("dept-a")
    page.get_by_label("카드를 댔을 때").select_option("choose")
    page.get_by_role("button", name="스테이션 만들기").click()
    page.wait_for_url("**/admin/stations/add")
    visitor.check()
    token = page.locator("#secret").inner_text().strip()
    assert "make install-station SERVER_URL=" in page.locator("main").inner_text()
    with web.runtime.sessions() as session:
        station = session.scalar(select(Station).where(Station.name == "dept-3f-reader"))
        assert authenticate(session, STATION, token).id == station.credential_id
    page.get_by_role("link", name="스테이션 보기").click()
    page.wait_for_url("**/admin/stations/station?name=dept-3f-reader")
    visitor.check()
    assert token not in page.content()

    page.get_by_role("button", name="연결 코드 만들기").click()
    page.wait_for_url("**/admin/stations/pair")
    visitor.check()
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}", page.locator("#secret").inner_text().strip())
    assert page.get_by_role("button", name="복사").is_visible(), "admin.js adds a copy button"

    visitor.goto("/admin/settings")
    page.get_by_role("textbox", name="작업 보관 시간 (시간)").fill("48")
    page.locator("section.setting").first.get_by_role("button", name="저장").click()
    page.wait_for_url("**/admin/settings")
    visitor.check()
    assert "작업 보관 시간 (시간): 이제 48입니다." in page.locator("#messages").inner_text()
    assert page.locator("#messages").evaluate("node => node === document.activeElement"), "the result has focus"
    with web.runtime.sessions() as session:
        assert session.get(SiteSetting, "hold_hours").value == "48"

    visitor.goto("/admin/audit")
    trail = page.locator("tbody").inner_text()
    for action in ("settings.set", "stations.pair", "stations.add", "printers.sync"):
        assert action in trail and ADMIN in trail
    assert token not in page.content()


def _printed_job(web, tmp_path) -> int:
    """A job of kimsr's printed on dept-a, so that the usage pages have a row to show."""
    web.lp(make_pdf(tmp_path / "예산안.pdf", "예산안 2027", pages=2, colour_pages={1}), "kimsr", "예산안 2027.pdf")
    (job,) = web.wait_jobs(1, JobState.HELD)
    web.cli("jobs", "release", "--user", "kimsr", "--printer", "dept-a", "--job", str(job.id))
    web.wait_jobs(1, JobState.PRINTED)
    return job.id


def test_the_admin_pages_in_korean_and_english_at_a_desk_and_on_a_phone(admin_web, open_visitor, pictures, tmp_path):
    web = admin_web
    job_id = _printed_job(web, tmp_path)
    web.cli("stations", "add", "dept-5f-reader", "--printer", "dept-b", "--require-pin")
    pages = [("overview", "/admin"), ("printers", "/admin/printers"),
             ("printer", "/admin/printers/printer?name=dept-a"), ("stations", "/admin/stations"),
             ("station", "/admin/stations/station?name=dept-5f-reader"), ("users", "/admin/users"),
             ("user", "/admin/users/user?login=kimsr"), ("cards", "/admin/cards?login=kimsr"),
             ("settings", "/admin/settings"), ("prices", "/admin/prices"), ("usage", f"/admin/usage?job={job_id}"),
             ("audit", "/admin/audit")]
    for locale, language in (("ko-KR", "ko"), ("en-US", "en")):
        visitor = open_visitor(locale)
        visitor.log_in(ADMIN)
        for name, path in pages:
            page = visitor.goto(path)
            assert page.evaluate("document.documentElement.lang") == language
            page.screenshot(path=str(pictures / f"admin-{language}-{name}.png"), full_page=True)
        page = visitor.goto(f"/admin/usage?job={job_id}")
        page.locator("tbody a").first.click()
        page.wait_for_url("**/admin/usage/record?id=*")
        visitor.check()
        assert "₩" in page.locator("tfoot").inner_text() or "KRW" in page.locator("tfoot").inner_text()
        page.screenshot(path=str(pictures / f"admin-{language}-usage-record.png"), full_page=True)
    phone = open_visitor("ko-KR", width=390, height=844)
    phone.log_in(ADMIN)
    for _name, path in pages:
        page = phone.goto(path)
        width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1], f"{path} scrolls sideways on a phone: {width}"
    phone.goto("/admin/printers").screenshot(path=str(pictures / "admin-ko-printers-phone.png"), full_page=True)
