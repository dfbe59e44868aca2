"""Every format's totals, parsed back from the files, match the generated month's known totals exactly."""

import csv
import io
import os
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from printrelease.reports.engine import Report, Site
from printrelease.reports.files import write_report
from printrelease.reports.query import ReportFilter
from tests.printrelease.reports.month import DEPARTMENT_OF, expected

MARCH = ReportFilter(date(2026, 3, 1), date(2026, 3, 31))
# Column ids of the summary and the key of each in `expected()`.
CHECKED = {"jobs": "jobs", "pages": "pages", "sheets": "sheets", "colour_impressions": "colour",
           "mono_impressions": "mono", "charged": "charged", "corrections": "corrections", "cost": "cost",
           "unprinted_jobs": "unprinted_jobs", "unprinted_pages": "unprinted_pages", "unspent": "unspent",
           "sheets_saved": "sheets_saved"}
ROOT = Path(__file__).resolve().parents[3]


def report(runtime, by=("department",), kind="summary", flt=MARCH, language="ko"):
    session = runtime.sessions()
    return session, Report(session, flt, by, kind, Site(), language)


def rendered(runtime, fmt, **kwargs) -> tuple[Report, bytes]:
    session, r = report(runtime, **kwargs)
    with session:
        buffer = io.BytesIO()
        write_report(r, fmt, buffer)
        return r, buffer.getvalue()


def figures(columns, values) -> dict[str, int]:
    return {CHECKED[c.id]: int(v) for c, v in zip(columns, values) if c.id in CHECKED}


def test_csv_totals_by_department(month):
    r, data = rendered(month, "csv")
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM that makes Excel read UTF-8
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["부서 코드", "부서", "작업"] and rows[0][10] == "순비용 (KRW)"
    want = expected()
    for line in rows[1:-1]:
        assert figures(r.columns, line) == {k: v for k, v in want[line[0]].items() if k in CHECKED.values()}
    assert rows[-1][0] == "합계"
    assert figures(r.columns, rows[-1]) == {k: v for k, v in want["*"].items() if k in CHECKED.values()}
    assert not any("," in cell and cell.replace(",", "").isdigit() for line in rows for cell in line)


def test_xlsx_totals_by_month_with_dates_money_and_a_frozen_header(month):
    r, data = rendered(month, "xlsx", by=("department", "month"))
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    assert sheet.title == "부서별 · 월별" and sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref.startswith("A1:")
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "부서 코드"
    total = rows[-1]
    assert total[0] == "합계"
    assert figures(r.columns, total) == {k: v for k, v in expected()["*"].items() if k in CHECKED.values()}
    budget = next(row for row in rows if row[0] == "D100" and row[3] != "소계")
    assert budget[2].date() == date(2026, 3, 1)  # a real date, shown as yyyy-mm
    cost = next(c for c in sheet[3] if c.column == 1 + [c.id for c in r.columns].index("cost"))
    assert "₩" in cost.number_format and isinstance(cost.value, int)


def test_pdf_totals_fonts_and_a_picture(month, tmp_path):
    r, data = rendered(month, "pdf", by=("department", "user"))
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    lines = fonts.splitlines()[2:]
    assert lines and all(line.split()[-5] == "yes" for line in lines), fonts  # every font embedded
    assert all("Nanum" in line for line in lines)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "부서 · 사용자별 인쇄 사용량" in text and "기간: 2026-03-01 ~ 2026-03-31" in text
    total = next(line for line in text.splitlines() if line.strip().startswith("합계"))
    numbers = [int(n.replace(",", "").replace("₩", "")) for n in re.findall(r"-?₩?[\d,]+(?:\.\d+)?%?", total)
               if "." not in n and "%" not in n]
    want = expected()["*"]
    assert numbers[:5] == [want[k] for k in ("jobs", "pages", "sheets", "colour", "mono")]
    assert numbers[5:12] == [want[k] for k in ("charged", "corrections", "cost", "unprinted_jobs",
                                               "unprinted_pages", "unspent", "sheets_saved")]
    subprocess.run(["pdftoppm", "-png", "-r", "110", "-f", "1", "-l", "1", str(path), str(tmp_path / "page")],
                   check=True)
    (picture,) = tmp_path.glob("page*.png")
    assert picture.stat().st_size > 20_000  # text, table and two charts, not a blank page
    if os.environ.get("PRINTRELEASE_SAVE_PICTURES") and "sqlite" in month.settings.effective_database_url:
        shutil.copy(picture, ROOT / "docs" / "report-page.png")


def test_users_subtotal_to_their_department(month):
    session, r = report(month, by=("department", "user"))
    with session:
        rows = list(r.rows())
    by_user = expected(lambda spec: spec.user)
    for row in rows:
        found = figures(r.columns, row.values[4:])  # past code, department, user, name
        found = {c.id: v for c, v in zip(r.columns[4:], row.values[4:]) if c.id in CHECKED}
        if row.level == "row":
            assert {CHECKED[k]: v for k, v in found.items()} == {
                k: v for k, v in by_user[row.values[2]].items() if k in CHECKED.values()}
        elif row.level == "subtotal":
            department = expected()[row.values[0]]
            assert {CHECKED[k]: v for k, v in found.items()} == {
                k: v for k, v in department.items() if k in CHECKED.values()}
    assert [row.level for row in rows].count("subtotal") == len(set(DEPARTMENT_OF.values()))


def test_detail_and_clicks_reports(month):
    r, data = rendered(month, "csv", kind="detail", by=())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    ids = [c.id for c in r.columns]
    total = rows[-1]
    want = expected()["*"]
    assert int(total[ids.index("cost")]) == want["cost"] and int(total[ids.index("pages")]) == want["pages"]
    titles = [row[ids.index("title")] for row in rows[1:-1]]
    # Titles a spreadsheet would run as formulas are quoted; the XLSX keeps them as plain text.
    assert "'=SUM(A1:A9) 예산" in titles and "'+컬러 포스터" in titles and "'-양면 회의록" in titles
    assert "'@A3 도면" in titles
    kinds = [row[ids.index("kind")] for row in rows[1:-1]]
    assert kinds.count("정정") == 1 and len(kinds) == want["jobs"] + 1
    r, data = rendered(month, "xlsx", kind="detail", by=())
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    cells = [row[ids.index("title")] for row in sheet.iter_rows(min_row=2)]
    formula = next(c for c in cells if c.value == "=SUM(A1:A9) 예산")
    assert formula.data_type == "s"
    session, clicks = report(month, kind="clicks", by=())
    with session:
        rows = list(clicks.rows())
    assert rows[-1].values[2:] == [12, 90, 35, 110, 91, 39]  # A3 impressions count twice as clicks


@pytest.mark.parametrize("first,last,jobs", [(date(2026, 2, 28), date(2026, 2, 28), 1),
                                             (date(2026, 3, 31), date(2026, 3, 31), 1),
                                             (date(2026, 4, 1), date(2026, 4, 1), 1),
                                             (date(2026, 3, 1), date(2026, 3, 1), 1)])
def test_days_are_the_sites_days(month, first, last, jobs):
    session, r = report(month, flt=ReportFilter(first, last))
    with session:
        total = list(r.rows())[-1]
    assert total.values[2] == jobs


def test_a_download_streams_the_same_bytes_as_the_file(month):
    from printrelease.reports.files import download

    for fmt in ("csv", "xlsx"):
        session, r = report(month, kind="detail", by=())
        with session:
            streamed = b"".join(download(r, fmt, chunk=256))
        r, whole = rendered(month, fmt, kind="detail", by=())
        if fmt == "csv":
            assert streamed == whole
        else:
            sheets = [openpyxl.load_workbook(io.BytesIO(data)).worksheets[0] for data in (streamed, whole)]
            assert [list(sheet.values) for sheet in sheets][0] == [list(sheet.values) for sheet in sheets][1]
