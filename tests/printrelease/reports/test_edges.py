"""Reports at their edges: clocks that change, no data at all, very large amounts, several currencies."""

import csv
import io
from dataclasses import replace
from datetime import date, datetime, timezone

import openpyxl
import pytest

from printrelease.accounts.service import add_user
from printrelease.reports.engine import Report, Site
from printrelease.reports.errors import BadPeriod, MixedCurrencies
from printrelease.reports.files import write_report
from printrelease.reports.query import ReportFilter
from printrelease.usage.models import UsageRecord


def usage(session, at, cost=100, currency="KRW", login="kimsr", department="D100", **text):
    text = {"user_display_name": "김성렬", "department_name": "기획예산과", "title": "문서", **text}
    session.add(UsageRecord(job_id=None, printed_at=at, user_login=login, department_code=department,
                            printer_name="dept-a", **text, pages=1, copies=1, sides="one-sided",
                            color_mode="color", sheets=1, impressions=1, color_impressions=1, mono_impressions=0,
                            paper_size="A4", currency=currency, cost=cost))


def test_months_follow_a_clock_that_changes_for_summer(runtime):
    """In Berlin, 22:30 UTC on 31 March is 00:30 on 1 April (summer time): an April job."""
    with runtime.sessions.begin() as session:
        usage(session, datetime(2026, 3, 31, 22, 30, tzinfo=timezone.utc))  # April in Berlin (CEST, +2)
        usage(session, datetime(2026, 3, 1, 0, 30, tzinfo=timezone.utc))  # March (CET, +1)
        usage(session, datetime(2026, 10, 31, 23, 30, tzinfo=timezone.utc))  # 1 November (CET again)
        usage(session, datetime(2026, 10, 31, 22, 30, tzinfo=timezone.utc))  # 31 October 23:30
    with runtime.sessions() as session:
        report = Report(session, ReportFilter(date(2026, 1, 1), date(2026, 12, 31)), ("month",),
                        site=Site(zone="Europe/Berlin"))
        months = {row.values[0]: row.values[1] for row in report.rows() if row.level == "row"}
    assert months == {date(2026, 3, 1): 1, date(2026, 4, 1): 1, date(2026, 10, 1): 1, date(2026, 11, 1): 1}


def test_an_empty_period_gives_a_total_of_zero_in_every_format(runtime):
    with runtime.sessions() as session:
        for fmt in ("csv", "xlsx", "pdf"):
            report = Report(session, ReportFilter(date(2026, 1, 1), date(2026, 1, 31)))
            assert write_report(report, fmt, io.BytesIO()) == 1  # the total row alone


def test_very_large_amounts_stay_exact(runtime):
    with runtime.sessions.begin() as session:
        for n in range(3):
            usage(session, datetime(2026, 3, 2 + n, tzinfo=timezone.utc), cost=999_999_999_999)
    with runtime.sessions() as session:
        flt = ReportFilter(date(2026, 3, 1), date(2026, 3, 31))
        buffer = io.BytesIO()
        write_report(Report(session, flt), "csv", buffer)
        rows = list(csv.reader(io.StringIO(buffer.getvalue().decode("utf-8-sig"))))
        assert rows[-1][10] == "2999999999997"
        buffer = io.BytesIO()
        write_report(Report(session, flt), "xlsx", buffer)
        total = list(openpyxl.load_workbook(buffer).worksheets[0].iter_rows(values_only=True))[-1]
        assert total[10] == 2_999_999_999_997  # below 2**53: exact in Excel's doubles too


def test_periods_and_currencies_that_cannot_be_reported(runtime):
    from printrelease.prices.service import set_price

    with runtime.sessions.begin() as session:
        with pytest.raises(BadPeriod):
            Report(session, ReportFilter(date(2026, 3, 2), date(2026, 3, 1)))
        set_price(session, "A4", "KRW", "20", "100")
        set_price(session, "A4", "USD", "0.02", "0.1")
        usage(session, datetime(2026, 3, 2, tzinfo=timezone.utc))
        usage(session, datetime(2026, 3, 3, tzinfo=timezone.utc), currency="USD")
        add_user(session, "kimsr")
    with runtime.sessions() as session:
        with pytest.raises(MixedCurrencies):
            Report(session, ReportFilter(date(2026, 3, 1), date(2026, 3, 31)))
        report = Report(session, replace(ReportFilter(date(2026, 3, 1), date(2026, 3, 2))))
        assert report.currency == "KRW"


def test_filters_with_markup_are_text_in_the_pdf(runtime):
    with runtime.sessions() as session:
        report = Report(session, ReportFilter(date(2026, 1, 1), date(2026, 1, 31), department="<b>R&D</b>"))
        assert write_report(report, "pdf", io.BytesIO()) == 1


CONTROLS = "".join(chr(c) for c in range(1, 32) if chr(c) not in "\t\n\r") + "\x7f"


@pytest.mark.parametrize("kind, by", [("detail", ()), ("summary", ("user",)), ("summary", ("department",))])
def test_control_characters_in_titles_and_names_do_not_break_any_format(runtime, kind, by):
    """A title from a print job or a name from the directory may hold any character; a spreadsheet cell
    cannot hold most control characters (openpyxl refuses them), and the other formats must still read."""
    with runtime.sessions.begin() as session:
        usage(session, datetime(2026, 3, 2, tzinfo=timezone.utc), title=f"보고서{CONTROLS}끝",
              user_display_name=f"김{CONTROLS}성렬", department_name=f"기획{CONTROLS}예산과")
    with runtime.sessions() as session:
        flt = ReportFilter(date(2026, 3, 1), date(2026, 3, 31))
        for fmt in ("csv", "xlsx", "pdf"):
            assert write_report(Report(session, flt, by, kind=kind), fmt, io.BytesIO()) >= 1, fmt
        typed = replace(flt, department=f"기획{CONTROLS}")  # a filter as typed, shown in the PDF's heading
        assert write_report(Report(session, typed, by, kind=kind), "pdf", io.BytesIO()) >= 1
        buffer = io.BytesIO()
        write_report(Report(session, flt, by, kind=kind), "xlsx", buffer)
        cells = [str(v) for row in openpyxl.load_workbook(buffer).worksheets[0].iter_rows(values_only=True)
                 for v in row if v is not None]
        assert not any(c in CONTROLS for text in cells for c in text)
        assert any(text.startswith("보고서") and text.endswith("끝") for text in cells) or kind != "detail"


def test_a_chart_of_many_departments_draws_the_largest_twelve_and_one_bar_for_the_rest(runtime, tmp_path):
    import subprocess

    with runtime.sessions.begin() as session:
        for n in range(30):
            usage(session, datetime(2026, 3, 2, tzinfo=timezone.utc), cost=1000 + n, department=f"D{n:03}",
                  department_name=f"부서 {n:02}")
    with runtime.sessions() as session:
        report = Report(session, ReportFilter(date(2026, 3, 1), date(2026, 3, 31)))
        bars = report.largest_departments()
        assert [label for label, _value in bars[:12]] == [f"부서 {n:02}" for n in range(29, 17, -1)]
        assert bars[12] == ("그 밖의 부서 18곳", sum(1000 + n for n in range(18))) and len(bars) == 13
        path = tmp_path / "report.pdf"
        with path.open("wb") as stream:
            write_report(report, "pdf", stream)
    page = subprocess.run(["pdftotext", "-f", "1", "-l", "1", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    # The labels are drawn at an angle: pdftotext gives them a word at a time.
    assert "밖의" in page.split(), "the chart's last bar, the other departments (the table lists each)"
