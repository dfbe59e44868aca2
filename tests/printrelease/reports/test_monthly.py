"""The monthly reports: written to a folder, mailed through a real SMTP server on loopback, run once a month."""

import email
import email.policy
import threading
from dataclasses import replace
from datetime import datetime, timezone

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from printrelease.reports.models import ReportRun
from printrelease.reports.monthly import run_monthly_if_due
from sandbox.cupsd import free_port
from tests.printrelease.reports.month import kst


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
    assert run_monthly_if_due(month.sessions, settings, now=kst(2026, 3, 31, 23, 59)) == "2026-02"
    inbox.messages.clear()
    # Midnight of the 1st in Seoul is still the 31st in UTC: March is due all the same.
    assert run_monthly_if_due(month.sessions, settings, now=kst(2026, 4, 1, 0, 0, 1)) == "2026-03"
    assert run_monthly_if_due(month.sessions, settings, now=kst(2026, 4, 1, 0, 1)) is None  # once
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
    assert run_monthly_if_due(month.sessions, settings, now=down_on_the_first) == "2026-03"
    with month.sessions() as session:
        run = session.scalar(select(ReportRun))
        assert (run.period, run.status, run.attempts) == ("2026-03", "failed", 1)
    assert run_monthly_if_due(month.sessions, settings, now=kst(2026, 4, 3, 9, 30)) is None  # not yet again
    assert run_monthly_if_due(month.sessions, settings, now=kst(2026, 4, 3, 11)) == "2026-03"
    assert run_monthly_if_due(month.sessions, settings, now=kst(2026, 4, 3, 13)) == "2026-03"
    assert run_monthly_if_due(month.sessions, settings, now=kst(2026, 4, 3, 15)) is None  # three tries in all
    assert run_monthly_if_due(month.sessions, replace(settings, monthly_reports_dir=None),
                              now=datetime(2026, 5, 1, tzinfo=timezone.utc)) is None  # not enabled


def test_two_servers_sweeping_at_once_run_the_month_once(month, tmp_path):
    settings = replace(month.settings, monthly_reports_dir=tmp_path / "reports")
    barrier, outcomes = threading.Barrier(2), []

    def sweep():
        barrier.wait()
        outcomes.append(run_monthly_if_due(month.sessions, settings, now=kst(2026, 4, 1, 8)))

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(outcomes, key=str) == ["2026-03", None]
    with month.sessions() as session:
        assert [(r.status, r.attempts) for r in session.scalars(select(ReportRun))] == [("done", 1)]
