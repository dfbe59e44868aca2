"""The finance commands: prices, usage corrections, reports and the monthly run, in-process."""

import csv
import io

import openpyxl

from printrelease.jobs.models import Job, JobState


def test_prices_set_list_history_and_the_estimate_in_jobs_list(runner, runtime):
    from printrelease.accounts.service import add_user

    assert runner.invoke("prices", "set", "--size", "A4", "--mono", "20", "--colour", "100", "--mono-duplex",
                         "15", "--by", "재무과").exit_code == 0
    done = runner.invoke("prices", "set", "--size", "A4", "--mono", "20", "--colour", "1",
                         "--from", "2000-01-01")
    assert done.exit_code == 1 and "cannot start in the past" in done.output
    assert runner.invoke("prices", "set", "--size", "A3", "--mono", "abc", "--colour", "1").exit_code == 1
    listing = runner.invoke("prices", "list").output.splitlines()
    assert listing[1].startswith("A4\tsite\tKRW\xa020\tKRW\xa0100\tKRW\xa015\tKRW\xa0100\t")
    assert listing[2].startswith("A3 (as A4)\tsite")
    assert "재무과" in runner.invoke("prices", "history").output
    with runtime.sessions.begin() as session:
        session.add(Job(owner=add_user(session, "kimsr", "김성렬"), title="예산", pages=3, copies=2,
                        color_pages=1, state=JobState.HELD))
    assert "\t~KRW\xa0280\t" in runner.invoke("jobs", "list").output  # 2 colour at 100 + 4 mono at 20


def test_report_files_and_a_correction_from_the_command_line(runner, month, tmp_path):
    out = tmp_path / "march.csv"
    done = runner.invoke("report", "--from", "2026-03-01", "--to", "2026-03-31", "--by", "department",
                         "--by", "user", "--department", "기획예산과", "-o", str(out))
    assert done.exit_code == 0, done.output
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert [r[2] for r in rows[1:]] == ["kimsr", "leejy", "소계", ""] and rows[-1][0] == "합계"
    xlsx = tmp_path / "detail.xlsx"
    assert runner.invoke("report", "--from", "2026-03-01", "--to", "2026-03-31", "--by", "detail", "--language",
                         "en", "-o", str(xlsx)).exit_code == 0
    assert openpyxl.load_workbook(xlsx).worksheets[0].title == "Detail"
    bad = runner.invoke("report", "--from", "2026-03-31", "--to", "2026-03-01", "-o", str(out))
    assert bad.exit_code == 1 and "before its start" in bad.output
    listing = runner.invoke("usage", "list", "--from", "2026-03-01", "--to", "2026-03-31").output
    assert "correction of" in listing and "용지 걸림으로 재출력" in listing
    first = listing.splitlines()[0].split("\t")[0]
    done = runner.invoke("usage", "correct", first, "--reason", "시험 출력", "--by", "finance", "--refund")
    assert done.exit_code == 0 and f"correction of {first}" in done.output
    shown = runner.invoke("usage", "show", first).output
    assert shown.splitlines()[-1].startswith("net\t0p\t0 sheet(s)\t0c+0m\t")
    assert runner.invoke("usage", "correct", first, "--reason", "x", "--by", "y").exit_code == 2


def test_report_monthly_writes_nine_files(runner, month, tmp_path):
    done = runner.invoke("report", "monthly", "--to-folder", str(tmp_path / "out"), "--month", "2026-03")
    assert done.exit_code == 0, done.output
    assert len(list((tmp_path / "out").glob("print-usage-2026-03-*"))) == 9
    done = runner.invoke("report", "monthly", "--to-folder", str(tmp_path / "out"), "--mail-to", "a@b.c")
    assert done.exit_code == 1 and "PRINTRELEASE_SMTP_HOST" in done.output
