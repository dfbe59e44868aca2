"""The finance page on the generated month (tests/printrelease/reports/month.py): the preview's totals are
the engine's and the month's known ones, every download parses back to the same totals and streams, the
filters narrow, bad input is a 400 page in the reader's language, and money reads ₩1,234 / KRW 1,234."""

from __future__ import annotations

import csv
import io
import re
import sqlite3
import subprocess
from html.parser import HTMLParser
from urllib.parse import unquote

import openpyxl
import pytest
from sqlalchemy import make_url

from printrelease.accounts.service import add_user, set_role
from printrelease.localtime import local_now, previous_month
from printrelease.reports.cells import shown
from printrelease.reports.engine import Report, Site
from printrelease.reports.query import ReportFilter
from tests.printrelease.reports.month import expected, make_month
from tests.printrelease.reports.test_formats import CHECKED, MARCH, figures
from tests.webui.conftest import PEOPLE

QUERY = "from=2026-03-01&to=2026-03-31"


@pytest.fixture
def people(runtime):
    """The generated month (its kimsr and leejy are the conftest's user and other), parkmj (finance) and
    choihs (admin)."""
    with runtime.sessions.begin() as session:
        make_month(session)
        for who in ("finance", "admin"):
            login, name = PEOPLE[who]
            add_user(session, login, name)
            set_role(session, login, who)
    return PEOPLE


@pytest.fixture
def finance(client_as):
    return client_as("finance")


class Tables(HTMLParser):
    """Every <table> of a page: {id or class: [(section, row class, [cell text])]}, and each caption."""

    def __init__(self, html: str):
        super().__init__()
        self.tables, self.captions, self._stack, self._section, self._row, self._cell = {}, {}, [], "", None, None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self._stack.append(attrs.get("id") or attrs.get("class") or f"table-{len(self.tables)}")
            self.tables[self._stack[-1]] = []
        elif tag in ("thead", "tbody", "tfoot"):
            self._section = tag
        elif tag == "tr" and self._stack:
            self._row = (self._section, attrs.get("class", ""), [])
        elif tag in ("td", "th") and self._row is not None:
            self._cell = [tag, attrs.get("class", ""), ""]
        elif tag == "caption":
            self._cell = ["caption", "", ""]

    def handle_data(self, data):
        if self._cell is not None:
            self._cell[2] += data

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row[2].append(self._cell[2].strip())
            self._cell = None
        elif tag == "caption" and self._cell is not None:
            self.captions[self._stack[-1]] = " ".join(self._cell[2].split())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.tables[self._stack[-1]].append(self._row)
            self._row = None
        elif tag == "table":
            self._stack.pop()


def engine_total(runtime, by=("department",), kind="summary", flt=MARCH, language="ko") -> list[str]:
    with runtime.sessions() as session:
        report = Report(session, flt, by, kind, Site(), language)
        row = list(report.rows())[-1]
        return [shown(c, v, report.currency, language) for c, v in zip(report.columns, row.values)]


def columns_of(runtime, by=("department",), kind="summary"):
    with runtime.reading_sessions() as session:
        return Report(session, MARCH, by, kind).columns


def report_table(html: str):
    tables = Tables(html)
    rows = tables.tables["report"]
    head = next(cells for section, _c, cells in rows if section == "thead")
    total = next((cells for section, _c, cells in rows if section == "tfoot"), None)
    return tables, head, [r for r in rows if r[0] == "tbody"], total


def numbers(cells: list[str]) -> list[int]:
    return [int(cell.replace("₩", "").replace("KRW", "").replace(",", "").replace("\xa0", "")) for cell in cells]


def test_the_preview_has_the_engines_and_the_months_totals(runtime, finance):
    answer = finance.get(f"/finance?{QUERY}&by=department")
    assert answer.status_code == 200
    html = answer.get_data(as_text=True)
    tables, head, body, total = report_table(html)
    assert total == engine_total(runtime)
    want = expected()
    columns = columns_of(runtime)
    got = {CHECKED[c.id]: n for c, n in zip(columns, total) if c.id in CHECKED}
    assert numbers(list(got.values())) == [want["*"][name] for name in got]
    assert total[0] == "합계" and "₩4,755" in total
    assert [cells[0] for _s, _c, cells in body] == ["", "D100", "D200", "D300"]  # no department first
    assert head[:3] == ["부서 코드", "부서", "작업"] and "양면 비율 (%)" in head
    assert "부서별 인쇄 사용량, 2026-03-01 – 2026-03-31" in tables.captions["report"]
    # The headers a screen reader announces: columns, and the cells that name each row.
    assert html.count('<th scope="col"') >= len(head) and '<th scope="row">D100</th>' in html
    assert re.search(r'<td class="number">₩1,940</td>', html)
    # Key figures and the savings of the whole period.
    figures_text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html.split('id="figures-title"')[1].split("<svg")[0]))
    for words in ("순비용 (KRW) ₩4,755", "미출력 작업 3", "미출력 쪽수 12", "절감 비용 (KRW) ₩680", "절약 매수 12"):
        assert words in figures_text, words


def test_money_and_charts_in_korean_and_in_english(client_as):
    for language, money, month in (("ko", "₩1,940", "3월"), ("en", "KRW\xa01,940", "Mar")):
        client = client_as("finance")
        client.set_cookie("lang", language)
        html = client.get(f"/finance?{QUERY}&by=department").get_data(as_text=True)
        assert f'<html lang="{language}">' in html
        assert html.count('<svg xmlns="http://www.w3.org/2000/svg"') == 2 and html.count('role="img"') == 2
        tables = Tables(html)
        bars = [cells for _s, _c, cells in tables.tables["chart-departments-numbers"]]
        assert bars[1][1] == money  # the largest first: 민원봉사과
        assert f">{month}</text>" in html
        assert "<script" not in html.split("<main")[1]  # nothing drawn by a script
    assert "KRW\xa04,755" in html and "What pull printing saved" in html


def test_every_download_streams_and_parses_back_to_the_same_totals(runtime, finance, tmp_path):
    want = {k: v for k, v in expected()["*"].items() if k in CHECKED.values()}
    for fmt, kind in (("csv", "text/csv; charset=utf-8"), ("xlsx", "application/vnd.openxmlformats"),
                      ("pdf", "application/pdf")):
        answer = finance.get(f"/finance/download?format={fmt}&{QUERY}&by=department&then=user", buffered=False)
        assert answer.status_code == 200 and answer.is_streamed, fmt
        assert answer.headers["Content-Type"].startswith(kind) and "Content-Length" not in answer.headers
        assert answer.headers["Cache-Control"] == "no-store"
        disposition = answer.headers["Content-Disposition"]
        ascii_name = "print-usage-summary-department-user-2026-03-01_2026-03-31"
        assert disposition.startswith(f'attachment; filename="{ascii_name}.{fmt}"; ')
        name = unquote(disposition.split("filename*=UTF-8''")[1])
        assert name == f"부서 · 사용자별 인쇄 사용량 2026-03-01_2026-03-31.{fmt}"
        data = answer.get_data()
        columns = columns_of(runtime, ("department", "user"))
        if fmt == "csv":
            rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
            total = rows[-1]
        elif fmt == "xlsx":
            total = list(openpyxl.load_workbook(io.BytesIO(data)).worksheets[0].iter_rows(values_only=True))[-1]
        else:
            (tmp_path / "report.pdf").write_bytes(data)
            lines = subprocess.run(["pdftotext", "-layout", str(tmp_path / "report.pdf"), "-"], capture_output=True,
                                   text=True, check=True).stdout.splitlines()
            line = next(line for line in lines if line.strip().startswith("합계"))
            found = [int(n.replace(",", "").replace("₩", "")) for n in re.findall(r"-?₩?[\d,]+(?:\.\d+)?%?", line)
                     if "." not in n and "%" not in n]
            assert found[:12] == [want[k] for k in ("jobs", "pages", "sheets", "colour", "mono", "charged",
                                                    "corrections", "cost", "unprinted_jobs", "unprinted_pages",
                                                    "unspent", "sheets_saved")]
            continue
        assert total[0] == "합계" and figures(columns, total) == want, fmt


def test_downloads_have_the_filters_of_the_preview_and_names_in_english_too(runtime, client_as):
    client = client_as("admin")
    client.set_cookie("lang", "en")
    page = client.get(f"/finance?{QUERY}&kind=detail&department=D100").get_data(as_text=True)
    link = re.search(r'href="(/finance/download\?[^"]*format=csv[^"]*)"', page).group(1).replace("&amp;", "&")
    answer = client.get(link)
    assert "filename*=UTF-8''Print%20usage%2C%20job%20by%20job%202026-03-01_2026-03-31.csv" in \
        answer.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(answer.get_data(as_text=True).lstrip("\ufeff"))))
    ids = [c.id for c in columns_of(runtime, (), "detail")]
    departments = {row[ids.index("department_code")] for row in rows[1:-1]}
    assert departments == {"D100"} and rows[-1][0] == "Total"
    assert int(rows[-1][ids.index("cost")]) == expected()["D100"]["cost"]


@pytest.mark.parametrize("query,group", [
    ("department=D200", "D200"),
    ("user=parkjy", "D200"),
    ("department=D100&by=user", "D100"),
])
def test_filters_narrow_the_preview(runtime, finance, query, group):
    html = finance.get(f"/finance?{QUERY}&{query}").get_data(as_text=True)
    _tables, head, _body, total = report_table(html)
    cost = total[head.index("순비용 (KRW)")]
    assert numbers([cost]) == [expected()[group]["cost"]]


def test_printer_filter_two_levels_and_the_other_kinds(runtime, finance):
    html = finance.get(f"/finance?{QUERY}&printer=colour-a3&by=printer").get_data(as_text=True)
    _t, head, body, total = report_table(html)
    assert [cells[0] for _s, _c, cells in body] == ["colour-a3"]
    only = ReportFilter(MARCH.first, MARCH.last, printer="colour-a3")
    assert total == engine_total(runtime, ("printer",), flt=only)
    html = finance.get(f"/finance?{QUERY}&by=department&then=month").get_data(as_text=True)
    _t, head, body, total = report_table(html)
    assert [row_class for _s, row_class, _cells in body].count("subtotal") == 4
    assert total == engine_total(runtime, ("department", "month"))
    html = finance.get(f"/finance?{QUERY}&kind=clicks").get_data(as_text=True)
    _t, head, body, total = report_table(html)
    assert numbers(total[2:]) == [12, 90, 35, 110, 91, 39]  # the engine's click counts, A3 twice
    html = finance.get(f"/finance?{QUERY}&kind=detail").get_data(as_text=True)
    _t, head, body, total = report_table(html)
    assert len(body) == expected()["*"]["jobs"] + 1 and total[0] == "합계"  # every print and the refund
    assert "기간 전체" in html and "₩4,755" in html  # the key figures from the summary


def test_the_preview_is_bounded_and_says_how_many_more(runtime, finance, monkeypatch):
    from webui.finance import preview

    monkeypatch.setattr(preview, "ROWS", 5)
    with runtime.sessions() as session:
        days = len(list(Report(session, MARCH, ("day",)).rows())) - 1
    for kind, more in (("summary&by=day", days - 5), ("detail", 13 - 5)):  # 12 prints and the refund
        html = finance.get(f"/finance?{QUERY}&kind={kind}").get_data(as_text=True)
        tables, _head, body, total = report_table(html)
        assert len(body) == 5
        assert f"나머지 {more}행은 내려받는 파일에 있습니다" in html
        assert "(처음 5행)" in tables.captions["report"]
        # A summary is read to its end for its total; a detail report stops (a year has a million rows)
        # and the period's totals are the key figures above it.
        assert (total[0] == "합계") if kind != "detail" else total is None
        assert "순비용 (KRW)</dt><dd class=\"number\">₩4,755" in html


@pytest.mark.parametrize("query,words", [
    ("from=2026-03-31&to=2026-03-01", "기간의 끝 2026-03-01이(가) 시작 2026-03-31보다 앞섭니다"),
    (f"{QUERY}&department=D999", "“D999” 부서가 없습니다."),
    (f"{QUERY}&printer=nowhere", "“nowhere” 프린터가 없습니다."),
    (f"{QUERY}&user=nobody", "아이디가 “nobody”인 사용자가 없습니다."),
    ("from=0001-01-01&to=2026-03-31", "2000-01-01부터 2099-12-31까지의 날짜를 선택해 주세요."),
    ("from=2026-03-01&to=9999-12-31", "2000-01-01부터 2099-12-31까지의 날짜를 선택해 주세요."),
    ("from=2026-02-30&to=2026-03-31", "올바르지 않은 날짜 값입니다."),
    ("from=2026-03-01", "이 항목은 필수입니다."),
    (f"{QUERY}&kind=everything", "올바르지 않은 선택값입니다."),
    (f"{QUERY}&by=colour", "올바르지 않은 선택값입니다."),
    ("from=2025-01-01&to=2026-03-31", "이 화면에는 한 번에 366일까지만 표시합니다."),
])
def test_bad_input_is_a_clear_400(finance, query, words):
    for path in ("/finance", "/finance/download"):
        if path.endswith("download"):
            if "366" in words:
                continue  # downloads take any period
            query += "&format=xlsx"
        answer = finance.get(f"{path}?{query}")
        html = answer.get_data(as_text=True)
        assert answer.status_code == 400, (path, answer.status_code)
        assert words in html and answer.mimetype == "text/html", path
        assert 'aria-invalid="true"' in html or "366" in words


def test_a_long_period_is_refused_on_the_page_but_offered_as_files(finance):
    html = finance.get("/finance?from=2025-01-01&to=2026-03-31").get_data(as_text=True)
    link = re.search(r'href="(/finance/download\?[^"]*format=csv[^"]*)"', html).group(1).replace("&amp;", "&")
    answer = finance.get(link)
    assert answer.status_code == 200 and answer.get_data(as_text=True).splitlines()[-1].startswith("합계")


def test_downloads_refuse_an_unknown_format_and_a_pdf_too_long(finance, monkeypatch):
    answer = finance.get(f"/finance/download?{QUERY}&format=docx")
    assert answer.status_code == 400 and "파일 형식을 선택해 주세요: csv, xlsx, pdf." in answer.get_data(as_text=True)
    from webui.finance import views

    monkeypatch.setattr(views, "PDF_ROWS", 5)
    answer = finance.get(f"/finance/download?{QUERY}&kind=detail&format=pdf")
    assert answer.status_code == 400 and "PDF에는 5행까지만" in answer.get_data(as_text=True)
    for query in ("kind=detail&format=xlsx", "by=department&format=pdf"):
        with finance.get(f"/finance/download?{QUERY}&{query}") as answer:
            assert answer.status_code == 200 and answer.get_data()


def test_an_empty_period_and_the_page_without_a_query(finance):
    html = finance.get("/finance?from=2025-06-01&to=2025-06-30").get_data(as_text=True)
    _t, _head, body, total = report_table(html)
    assert body == [("tbody", "", ["이 기간에는 출력한 내역이 없습니다."])] and total[0] == "합계"
    assert "<svg" not in html and "차트를 그리지 않았습니다" in html
    first, last = previous_month(local_now("Asia/Seoul").date())
    html = finance.get("/finance").get_data(as_text=True)
    assert f'value="{first.isoformat()}"' in html and f'value="{last.isoformat()}"' in html


def test_a_download_in_progress_holds_no_lock_that_writers_wait_for(runtime, finance):
    """On SQLite a session holds the write lock from its first statement; the download's must not, or one
    slow client would stop every capture and release for as long as it takes."""
    answer = finance.get(f"/finance/download?format=csv&{QUERY}&kind=detail", buffered=False)
    chunks = iter(answer.response)
    first = next(chunks)  # the report's queries have run and its transaction is open
    url = runtime.settings.effective_database_url
    if url.startswith("sqlite"):
        writer = sqlite3.connect(make_url(url).database, timeout=0.2, isolation_level=None)
        writer.execute("BEGIN IMMEDIATE")  # "database is locked" after 0.2 s if the download held the lock
        writer.execute("ROLLBACK")
        writer.close()
    with runtime.sessions.begin() as session:
        add_user(session, "newcomer", "신규 직원")
    rest = b"".join(chunks)
    answer.close()
    assert (first + rest).decode("utf-8-sig").splitlines()[-1].startswith("합계")
