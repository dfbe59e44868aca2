"""The finance page in chromium: a finance officer logs in, asks for March's report, sees the table and the
two charts, opens a chart's numbers by keyboard and downloads the workbook; in Korean and English, at a
desk and on a phone, each page checked by axe-core as it is visited."""

from __future__ import annotations

import re

import openpyxl
import pytest

from tests.browser.conftest import PASSWORD
from tests.conftest import fresh_database
from tests.integration.conftest import running_stack
from tests.printrelease.reports.month import expected, make_month


@pytest.fixture(scope="module")
def web(request, cupsd, tmp_path_factory):
    """The whole stack on SQLite with the generated month of printing and parkmj (박민정) of finance."""
    root = tmp_path_factory.mktemp("finance-web")
    with running_stack(cupsd, root, fresh_database(request, "sqlite", root / "data")) as stack:
        with stack.runtime.sessions.begin() as session:
            make_month(session)
        stack.cli("users", "add", "parkmj", "--name", "박민정")
        stack.cli("users", "set-password", "parkmj", "--password", PASSWORD)
        stack.cli("users", "set-role", "parkmj", "finance")
        yield stack


def open_march(visitor):
    """From My jobs through the menu to the report form, and March's report by department."""
    visitor.log_in("parkmj")
    page = visitor.page
    page.get_by_role("link", name=visitor.words("Finance", "재무")).click()
    page.wait_for_url("**/finance")
    visitor.check()
    page.get_by_label(visitor.words("From", "시작일"), exact=True).fill("2026-03-01")
    page.get_by_label(visitor.words("To", "종료일"), exact=True).fill("2026-03-31")
    page.get_by_label(visitor.words("Group by", "묶는 기준")).select_option("department")
    page.get_by_role("button", name=visitor.words("Show the report", "보고서 보기")).click()
    page.wait_for_url(re.compile(r".*/finance\?from=2026-03-01&to=2026-03-31.*"))
    visitor.check()
    return page


def test_a_finance_officer_reads_march_and_downloads_the_workbook(visitor, tmp_path):
    page = open_march(visitor)
    table = page.get_by_role("table", name=re.compile("부서별 인쇄 사용량, 2026-03-01"))
    assert table.is_visible()
    total = table.locator("tfoot tr")
    assert total.locator("th").first.inner_text() == "합계"
    assert "₩4,755" in total.inner_text()
    assert page.get_by_role("img", name="부서별 순비용 (KRW)").is_visible()
    assert page.get_by_role("img", name="월별 순비용 (KRW)").is_visible()
    # The chart's numbers, by keyboard: a disclosure that Enter opens.
    summary = page.locator("#chart-departments-numbers").locator("xpath=ancestor::details/summary")
    summary.focus()
    page.keyboard.press("Enter")
    numbers = page.locator("#chart-departments-numbers")
    assert numbers.is_visible() and "₩1,940" in numbers.inner_text()
    visitor.check()
    with page.expect_download() as download:
        page.get_by_role("link", name="엑셀 통합 문서 (XLSX)").click()
    assert download.value.suggested_filename == "부서별 인쇄 사용량 2026-03-01_2026-03-31.xlsx"
    path = tmp_path / "march.xlsx"
    download.value.save_as(path)
    rows = list(openpyxl.load_workbook(path).worksheets[0].iter_rows(values_only=True))
    assert rows[0][0] == "부서 코드" and rows[-1][0] == "합계"
    cost = rows[0].index("순비용 (KRW)")
    assert rows[-1][cost] == expected()["*"]["cost"]


def test_a_refusal_is_shown_at_its_field(visitor):
    visitor.log_in("parkmj")
    page = visitor.goto("/finance?from=2026-03-31&to=2026-03-01")
    to = page.get_by_label("종료일", exact=True)
    assert to.get_attribute("aria-invalid") == "true"
    assert "시작 2026-03-31보다 앞섭니다" in page.locator(f"#{to.get_attribute('aria-describedby')}").inner_text()


@pytest.mark.parametrize("locale,language,width", [("ko-KR", "ko", 1280), ("en-US", "en", 1280),
                                                   ("ko-KR", "ko-phone", 390)])
def test_the_finance_page_in_korean_and_english_at_a_desk_and_on_a_phone(open_visitor, pictures, locale,
                                                                         language, width):
    visitor = open_visitor(locale, width, 900)
    page = open_march(visitor)
    assert page.evaluate("document.documentElement.lang") == language[:2]
    money = "KRW\xa04,755" if language == "en" else "₩4,755"
    assert money in page.locator("tfoot").inner_text()
    # On a phone the table scrolls sideways inside its region, not the page.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.screenshot(path=str(pictures / f"finance-{language}.png"), full_page=True)
