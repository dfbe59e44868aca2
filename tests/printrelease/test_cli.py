"""The command line in-process: help, users, listing; errors become one-line messages."""

import shutil
import tempfile
from pathlib import Path

from printrelease.accounts.service import get_user
from printrelease.doctor import _lost_jobs, run_checks


def test_help_lists_every_command(runner):
    result = runner.invoke("--help")
    for command in ("serve", "db", "cups", "printers", "users", "jobs"):
        assert f"  {command} " in result.output
    assert "  demo " not in result.output  # the sandbox is not part of a production install
    jobs = runner.invoke("jobs", "--help").output
    for command in ("list", "release", "delete", "expire"):
        assert command in jobs


def test_users_import_with_korean_names(runner, runtime, tmp_path):
    csv_file = tmp_path / "users.csv"
    csv_file.write_text("\ufefflogin,display_name,email,department,department_name\n"
                        "kimsr,김성렬,kimsr@example.go.kr,budget,기획예산과\n"
                        "leejy,이지영,,civil,민원봉사과\n", encoding="utf-8")
    assert "2 created, 0 updated" in runner.invoke("users", "import", str(csv_file)).output
    assert "0 created, 2 updated" in runner.invoke("users", "import", str(csv_file)).output
    with runtime.sessions() as session:
        user = get_user(session, "kimsr")
        assert (user.display_name, user.department.code, user.department.name) == ("김성렬", "budget", "기획예산과")
    listing = runner.invoke("users", "list").output
    assert "leejy\t이지영\tcivil\tuser\tactive" in listing


def test_a_bad_import_changes_nothing_and_says_why(runner, runtime, tmp_path):
    csv_file = tmp_path / "users.csv"
    csv_file.write_text("login,display_name,office\nkimsr,김성렬,3F\n", encoding="utf-8")
    result = runner.invoke("users", "import", str(csv_file))
    assert result.exit_code == 1 and "unknown column(s): office" in result.output
    csv_file.write_text("login,display_name\nkimsr,김성렬\n,빈 줄\n", encoding="utf-8")
    result = runner.invoke("users", "import", str(csv_file))
    assert result.exit_code == 1 and "line 3: empty login" in result.output
    assert "kimsr" not in runner.invoke("users", "list").output


def test_users_add_and_unknown_printer(runner):
    added = runner.invoke("users", "add", "kimsr", "--name", "김성렬", "--department", "budget")
    assert "kimsr\t김성렬\tbudget" in added.output
    result = runner.invoke("jobs", "release", "--user", "kimsr", "--printer", "nowhere")
    assert result.exit_code == 1 and "unknown printer 'nowhere'" in result.output


def test_jobs_list_is_empty_on_a_new_database(runner):
    result = runner.invoke("jobs", "list")
    assert result.exit_code == 0 and result.output == ""


def test_users_import_with_cards_and_the_cards_commands(runner, tmp_path):
    csv_file = tmp_path / "users.csv"
    csv_file.write_text("login,display_name,department,card\n"
                        "kimsr,김성렬,budget,04A1B2C3D4E5F6 dec:77705923\n"
                        "leejy,이지영,budget,\n", encoding="utf-8")
    assert "2 created, 0 updated, 2 card(s)" in runner.invoke("users", "import", str(csv_file)).output
    listing = runner.invoke("cards", "list").output
    assert "kimsr\t…E5F6" in listing and "kimsr\t…B2C3" in listing and "04A1" not in listing
    taken = runner.invoke("cards", "add", "leejy", "04a1b2c3")
    assert taken.exit_code == 1 and "already belongs to kimsr" in taken.output
    assert "removed card …B2C3 of kimsr" in runner.invoke("cards", "remove", "kimsr", "B2C3").output
    bad = runner.invoke("cards", "add", "leejy", "12345")
    assert bad.exit_code == 1 and "not a card UID" in bad.output


def test_stations_commands_show_the_token_once(runner, runtime):
    from printrelease.printers.models import Printer

    with runtime.sessions.begin() as session:
        session.add(Printer(name="dept-a", cups_server="127.0.0.1:631", cups_queue="dept-a"))
    added = runner.invoke("stations", "add", "reader-a", "--printer", "dept-a", "--require-pin").output
    token = added.rsplit(": ", 1)[1].strip()
    assert len(token) >= 40 and token not in runner.invoke("stations", "list").output
    assert "reader-a\tdept-a\tPIN\tall\tno taps yet" in runner.invoke("stations", "list").output
    assert runner.invoke("stations", "add", "reader-a", "--printer", "dept-a").exit_code == 1
    assert "removed station reader-a" in runner.invoke("stations", "remove", "reader-a").output


def test_set_pin_and_disable(runner, runtime):
    from printrelease.accounts.pins import verify_pin
    from printrelease.accounts.service import get_user

    runner.invoke("users", "add", "kimsr")
    assert "PIN set" in runner.invoke("users", "set-pin", "kimsr", "--pin", "2468").output
    assert runner.invoke("users", "set-pin", "kimsr", "--pin", "12").exit_code == 1
    runner.invoke("users", "disable", "kimsr")
    with runtime.sessions() as session:
        user = get_user(session, "kimsr")
        assert verify_pin("2468", user.pin_hash) and not verify_pin("2469", user.pin_hash) and not user.is_active


def test_waiting_for_a_release_sees_jobs_the_servers_sweep_settled_first(runtime, capsys, tmp_path):
    from printrelease.cli.jobs import _follow
    from printrelease.jobs.models import JobState
    from printrelease.jobs.capture import CaptureRequest, capture_job
    from sandbox.documents import make_pdf

    body = make_pdf(tmp_path / "doc.pdf", "보고서", pages=1).read_bytes()
    with runtime.sessions.begin() as session:
        job = capture_job(session, runtime.spool, runtime.capture_policy,
                          CaptureRequest(user="kimsr", title="보고서", options="job-uuid=urn:uuid:cli"), [body]).job
        job.state, job.state_reason = JobState.PRINTED, "printed on dept-a"  # as if the sweep got there first
    _follow(runtime, [job.id], timeout=5)
    assert f"job {job.id}: printed (printed on dept-a)" in capsys.readouterr().out


def test_the_demo_moves_out_of_a_folder_cups_cannot_enter(tmp_path):
    from sandbox.demo import FALLBACK_ROOT, reachable_root

    home = tmp_path / "root"
    home.mkdir(mode=0o700)
    assert reachable_root(home / "printrelease" / "var" / "demo") == FALLBACK_ROOT
    open_folder = Path(tempfile.mkdtemp())  # pytest's own tmp_path sits in a 0700 folder
    try:
        open_folder.chmod(0o755)
        assert reachable_root(open_folder / "var" / "demo") == open_folder / "var" / "demo"
    finally:
        shutil.rmtree(open_folder)


def test_lost_jobs_are_listed_and_resolved_by_an_administrator(runner, runtime, tmp_path):
    from printrelease.jobs.capture import CaptureRequest, capture_job
    from printrelease.jobs.models import Job, JobState
    from sandbox.documents import make_pdf

    body = make_pdf(tmp_path / "doc.pdf", "보고서", pages=2).read_bytes()
    with runtime.sessions.begin() as session:
        job = capture_job(session, runtime.spool, runtime.capture_policy,
                          CaptureRequest(user="kimsr", title="보고서", options="job-uuid=urn:uuid:lost"), [body]).job
        job.state = JobState.LOST  # as follow leaves a job CUPS forgot
        job_id = job.id
    assert f"{job_id}\tkimsr\tlost" in runner.invoke("jobs", "list", "--state", "lost").output
    (check,) = [c for c in run_checks(runtime, [_lost_jobs])]
    assert check.status == "warning" and str(job_id) in check.detail and "jobs resolve" in check.remedy
    refused = runner.invoke("jobs", "resolve", str(job_id))
    assert refused.exit_code == 2 and "--printed or --held" in refused.output
    assert "held" in runner.invoke("jobs", "resolve", str(job_id), "--held").output
    again = runner.invoke("jobs", "resolve", str(job_id), "--held")
    assert again.exit_code == 1 and "only lost jobs can be resolved" in again.output
    with runtime.sessions() as session:
        (resolved,) = [e for e in session.get(Job, job_id).events if e.kind == "resolved"]
        assert resolved.actor == "cli:root", "the administrator who ran it, not the owner"
    assert [c.status for c in run_checks(runtime, [_lost_jobs])] == ["ok"]


def test_a_token_file_is_private_whatever_was_there_before(runner, runtime, tmp_path):
    from printrelease.printers.models import Printer

    with runtime.sessions.begin() as session:
        session.add(Printer(name="dept-a", cups_server="127.0.0.1:631", cups_queue="dept-a"))
    token_file = tmp_path / "reader-a.token"
    token_file.write_text("an old token\n")
    token_file.chmod(0o644)
    assert "token written to" in runner.invoke("stations", "add", "reader-a", "--printer", "dept-a",
                                               "--token-file", str(token_file)).output
    assert token_file.stat().st_mode & 0o777 == 0o600 and len(token_file.read_text().strip()) >= 40


def test_a_lost_job_resolved_as_printed_is_charged_for_its_colour_pages(runner, runtime, tmp_path):
    from sqlalchemy import select

    from printrelease.jobs.capture import CaptureRequest, capture_job
    from printrelease.jobs.models import JobState
    from printrelease.usage.models import UsageRecord
    from sandbox.documents import make_pdf

    body = make_pdf(tmp_path / "doc.pdf", "보고서", pages=3, colour_pages={2}).read_bytes()
    request = CaptureRequest(user="kimsr", title="보고서", options="job-uuid=urn:uuid:lost-colour print-color-mode=color")
    with runtime.sessions.begin() as session:
        job = capture_job(session, runtime.spool, runtime.capture_policy, request, [body]).job
        assert job.color_pages is None  # released before the sweep measured it
        job.state = JobState.LOST
        job_id = job.id
    assert "printed" in runner.invoke("jobs", "resolve", str(job_id), "--printed").output
    with runtime.sessions() as session:
        (usage,) = session.scalars(select(UsageRecord)).all()
        assert (usage.pages, usage.color_impressions) == (3, 1)
