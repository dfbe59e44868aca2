"""The audit trail: administrative commands record who did what to what, and the trail reads back filtered
and paged, newest first."""

from datetime import timedelta

from sqlalchemy import update

from printrelease.audit.models import AuditEntry
from printrelease.audit.service import audit_actions, audit_trail, record_admin_action
from printrelease.cli import cli_actor
from printrelease.db import utcnow
from printrelease.jobs.capture import CaptureRequest, capture_job
from printrelease.printers.models import Printer
from sandbox.documents import make_pdf


def test_entries_read_back_newest_first_filtered_and_paged(session):
    for n in range(5):
        record_admin_action(session, "admin", "users.set_role", f"user{n}", "user -> finance", "10.0.0.1")
    record_admin_action(session, "cli:root", "printers.disable", "dept-a")
    record_admin_action(session, "x" * 500, "stations.pair", "reader-a", "d" * 10_000)
    session.flush()
    session.execute(update(AuditEntry).where(AuditEntry.target == "user0").values(at=utcnow() - timedelta(days=2)))
    everything = audit_trail(session)
    assert everything.total == 7 and everything.items[-1].target == "user0"
    assert len(everything.items[0].actor) == 255 and len(everything.items[0].detail) == 4000
    assert audit_trail(session, actor="admin").total == 5
    assert audit_trail(session, action="users.").total == 5 and audit_trail(session, action="users").total == 0
    assert audit_trail(session, action="users_").total == 0, "a prefix is taken literally"
    assert [e.target for e in audit_trail(session, action="printers.disable").items] == ["dept-a"]
    recent = audit_trail(session, since=utcnow() - timedelta(days=1))
    assert recent.total == 6 and "user0" not in [e.target for e in recent.items]
    assert [e.target for e in audit_trail(session, until=utcnow() - timedelta(days=1)).items] == ["user0"]
    second = audit_trail(session, actor="admin", page=2, per_page=2)
    assert [e.target for e in second.items] == ["user2", "user1"] and second.pages == 3
    assert audit_actions(session) == ["printers.disable", "stations.pair", "users.set_role"]


def test_administrative_commands_are_audited(runner, runtime, tmp_path):
    me = cli_actor()
    csv_file = tmp_path / "users.csv"
    csv_file.write_text("login,display_name,role\nparkmh,박민호,finance\n", encoding="utf-8")
    with runtime.sessions.begin() as session:
        session.add(Printer(name="dept-a", cups_server="127.0.0.1:1", cups_queue="dept-a"))
    commands = [
        ("users", "add", "kimsr", "--name", "김성렬"), ("users", "import", str(csv_file)),
        ("users", "set-role", "kimsr", "admin"), ("users", "set-password", "kimsr", "--password", "비밀번호-2026"),
        ("users", "disable", "kimsr"), ("users", "enable", "kimsr"), ("cards", "add", "kimsr", "04A1B2C3"),
        ("cards", "remove", "kimsr", "B2C3"), ("printers", "disable", "dept-a"), ("printers", "enable", "dept-a"),
        ("stations", "add", "reader-a", "--printer", "dept-a"), ("stations", "pair", "reader-a"),
        ("stations", "set", "reader-a", "--release-mode", "choose"), ("stations", "unpair", "reader-a"),
        ("stations", "remove", "reader-a"), ("prices", "set", "--size", "A4", "--mono", "20", "--colour", "100"),
        ("settings", "set", "hold_hours", "48"), ("printers", "remove", "dept-a")]
    for command in commands:
        result = runner.invoke(*command)
        assert result.exit_code == 0, (command, result.output)
    with runtime.sessions() as session:
        trail = list(reversed(audit_trail(session, per_page=100).items))
    assert [e.action for e in trail] == [
        "users.add", "users.import", "users.set_role", "users.set_password", "users.disable", "users.enable",
        "cards.add", "cards.remove", "printers.disable", "printers.enable", "stations.add", "stations.pair",
        "stations.set_release_mode", "stations.unpair", "stations.remove", "prices.set", "settings.set",
        "printers.remove"]
    assert {e.actor for e in trail} == {me}
    assert (trail[2].target, trail[2].detail) == ("kimsr", "user -> admin")
    assert trail[6].detail == "…B2C3" and "04A1" not in " ".join(e.detail for e in trail)
    assert "비밀번호" not in " ".join(e.detail for e in trail), "no secret goes into the trail"
    shown = runner.invoke("audit", "--action", "users.").output
    assert "users.set_role\tkimsr\tuser -> admin" in shown and "cards.add" not in shown


def test_a_failed_command_leaves_no_entry(runner, runtime):
    assert runner.invoke("users", "set-role", "nobody", "admin").exit_code != 0
    with runtime.sessions() as session:
        assert audit_trail(session).total == 0


def test_an_administrator_deleting_a_job_is_audited(runner, runtime, tmp_path):
    body = make_pdf(tmp_path / "doc.pdf", "예산안").read_bytes()
    with runtime.sessions.begin() as session:
        job_id = capture_job(session, runtime.spool, runtime.capture_policy,
                             CaptureRequest("kimsr", "예산안", options="job-uuid=a1"), [body]).job.id
    assert runner.invoke("jobs", "delete", str(job_id)).exit_code == 0
    with runtime.sessions() as session:
        (entry,) = audit_trail(session).items
    assert (entry.action, entry.target, entry.detail) == ("jobs.delete", "kimsr", f"job {job_id} (예산안)")
