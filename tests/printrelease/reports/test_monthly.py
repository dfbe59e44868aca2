"""The monthly reports: written to a folder, mailed through a real SMTP server on loopback, run once a month."""

import email
import email.policy
import threading
import time
from dataclasses import replace
from datetime import datetime, timezone

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from printrelease.reports.models import ReportRun
from printrelease.reports.monthly import run_monthly_if_due
from sandbox.cupsd import free_port
from tests.printrelease.reports.month import kst


def due(runtime, settings, now):
    return run_monthly_if_due(runtime.sessions, runtime.reading_sessions, settings, now=now)


class Inbox:
    def __init__(self):
        self.messages, self.arrived = [], threading.Event()

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.SMTPUTF8)
        self.messages.append((envelope.rcpt_tos, message))
        self.arrived.set()
        return "250 OK"


@pytest.fixture
def smtp():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


def test_last_months_reports_are_mailed_once_on_the_first(month, smtp, tmp_path):
    controller, inbox = smtp
    settings = replace(month.settings, monthly_reports_dir=tmp_path / "reports",
                       monthly_reports_mail_to="재무과@example.org", smtp_host="127.0.0.1",
                       smtp_port=controller.port, smtp_from="printrelease@example.org")
    assert due(month, settings, now=kst(2026, 3, 31, 23, 59)) == "2026-02"
    inbox.messages.clear()
    # Midnight of the 1st in Seoul is still the 31st in UTC: March is due all the same.
    assert due(month, settings, now=kst(2026, 4, 1, 0, 0, 1)) == "2026-03"
    assert due(month, settings, now=kst(2026, 4, 1, 0, 1)) is None  # once
    ((recipients, message),) = inbox.messages
    assert recipients == ["재무과@example.org"]
    assert message["Subject"] == "2026-03 인쇄 사용량 보고서 / Print usage reports for 2026-03"
    attachments = {part.get_filename(): part.get_payload(decode=True) for part in message.iter_attachments()}
    names = {f"print-usage-2026-03-{report}.{fmt}" for report in ("department", "user", "printer")
             for fmt in ("csv", "xlsx", "pdf")}
    assert set(attachments) == names
    assert attachments["print-usage-2026-03-department.pdf"].startswith(b"%PDF")
    assert "합계" in attachments["print-usage-2026-03-department.csv"].decode("utf-8-sig")
    assert {p.name for p in (tmp_path / "reports").iterdir()} >= names


def test_a_missed_first_is_made_up_once_and_a_failed_mail_is_retried(month, tmp_path):
    settings = replace(month.settings, monthly_reports_dir=tmp_path / "reports", monthly_reports_mail_to="a@b.c",
                       smtp_host="127.0.0.1", smtp_port=free_port())  # nothing listens there
    down_on_the_first = kst(2026, 4, 3, 9)
    assert due(month, settings, now=down_on_the_first) == "2026-03"
    with month.sessions() as session:
        run = session.scalar(select(ReportRun))
        assert (run.period, run.status, run.attempts) == ("2026-03", "failed", 1)
    assert due(month, settings, now=kst(2026, 4, 3, 9, 30)) is None  # not yet again
    assert due(month, settings, now=kst(2026, 4, 3, 11)) == "2026-03"
    assert due(month, settings, now=kst(2026, 4, 3, 13)) == "2026-03"
    assert due(month, settings, now=kst(2026, 4, 3, 15)) is None  # three tries in all
    assert due(month, replace(settings, monthly_reports_dir=None),
               now=datetime(2026, 5, 1, tzinfo=timezone.utc)) is None  # not enabled


def test_two_servers_sweeping_at_once_run_the_month_once(month, tmp_path):
    settings = replace(month.settings, monthly_reports_dir=tmp_path / "reports")
    barrier, outcomes = threading.Barrier(2), []

    def sweep():
        barrier.wait()
        outcomes.append(due(month, settings, now=kst(2026, 4, 1, 8)))

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(outcomes, key=str) == ["2026-03", None]
    with month.sessions() as session:
        assert [(r.status, r.attempts) for r in session.scalars(select(ReportRun))] == [("done", 1)]


# PostgreSQL only: it alone ends idle transactions.
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_report_slow_to_build_outlasts_the_idle_transaction_timeout(month, tmp_path, monkeypatch, database_url):
    # PostgreSQL ends a writing session idle in a transaction for two leases; building a big month's
    # XLSX or PDF is such a pause, and the reports are read through sessions exempt from it.
    from printrelease.db import make_engine
    from printrelease.reports import monthly
    from printrelease.runtime import Runtime
    from printrelease.sweeper import sweep_once

    settings = replace(month.settings, monthly_reports_dir=tmp_path / "reports")
    server = Runtime(settings)
    server.__dict__["engine"] = make_engine(settings.effective_database_url, idle_transaction_seconds=1)
    original = monthly.write_report

    def slow_to_build(report, fmt, stream, progress=None):
        rows = original(report, fmt, stream, progress)
        time.sleep(1.5)  # as reportlab laying out a site's month, with no query meanwhile
        return rows

    monkeypatch.setattr(monthly, "write_report", slow_to_build)
    try:
        assert sweep_once(server, resume_queues=False)["monthly reports"] == 1
        with server.sessions() as session:
            assert [r.status for r in session.scalars(select(ReportRun))] == ["done"]
    finally:
        server.close()
