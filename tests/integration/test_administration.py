"""What an administrator does after installing, on the real cupsd: printers sync beside the virtual queue,
moving printers, Korean Excel's CSV, backup and restore, doctor on a broken site, authenticated capture."""

from __future__ import annotations

import shutil
import subprocess

import cups
import pytest

from printrelease.config import Settings
from printrelease.jobs.models import JobState
from printrelease.runtime import Runtime
from tests.integration.conftest import Stack


def test_sync_skips_the_virtual_queue_and_its_members_and_moves_printers(stack):
    stack.cli("cups", "install-queue", "--server-url", stack.url, "--members", "2")
    done = stack.cli("printers", "sync")
    listed = stack.cli("printers", "list").stdout
    assert "secure-print" not in listed and "dept-a" in listed
    assert "secure-print: skipped, a CUPS class" in done.stderr
    assert "secure-print-capture-1: skipped, a member of the class secure-print" in done.stderr
    # The same CUPS server at another address (as when moving to the socket, or a new print server): the
    # printers move, their names and stations stay.
    stack.cli("stations", "add", "reader-a", "--printer", "dept-a", "--token-file", str(stack.root / "t"))
    port = stack.cupsd.address.split(":")[1]
    moved = stack.cli("--cups-server", f"localhost:{port}", "printers", "sync")
    assert f"dept-a: moved from {stack.cupsd.address}/dept-a to localhost:{port}/dept-a" in moved.stderr
    assert f"dept-a\tlocalhost:{port}/dept-a" in stack.cli("printers", "list").stdout
    assert "dept-a" in stack.cli("stations", "list").stdout
    # A name taken by another queue is a one-line refusal, not a crash.
    clash = stack.cli("printers", "add", "dept-a", "--queue", "dept-b", "--cups-server", f"localhost:{port}",
                      check=False)
    assert clash.returncode == 1 and "is already the printer dept-b" in clash.stderr and "Traceback" not in clash.stderr
    refused = stack.cli("printers", "add", "capture", "--queue", "secure-print-capture-1", check=False)
    assert refused.returncode == 1 and "a member of the class secure-print" in refused.stderr
    # Disable, remove.
    stack.cli("printers", "disable", "dept-b")
    stack.cli("users", "add", "kimsr")
    assert "disabled" in stack.cli("printers", "list").stdout
    release = stack.cli("jobs", "release", "--user", "kimsr", "--printer", "dept-b", check=False)
    assert release.returncode == 1 and "disabled by an administrator" in release.stderr
    in_use = stack.cli("printers", "remove", "dept-a", check=False)
    assert in_use.returncode == 1 and "remove its stations first" in in_use.stderr
    stack.cli("printers", "remove", "discard")
    assert "discard" not in stack.cli("printers", "list").stdout


def test_printers_and_users_from_korean_excel_csv(stack):
    sheet = stack.root / "printers.csv"
    sheet.write_bytes("name,queue,location\n3층,dept-a,3층 기획예산과\n".encode("cp949"))
    assert "1 printer(s) imported" in stack.cli("printers", "import", str(sheet)).stdout
    assert "3층\t" in stack.cli("printers", "list").stdout
    users = stack.root / "users.csv"
    users.write_bytes("login,display_name,department_name\nkimsr,김성렬,기획예산과\n".encode("euc-kr"))
    assert "1 created" in stack.cli("users", "import", str(users)).stdout
    assert "kimsr\t김성렬" in stack.cli("users", "list").stdout
    wrong = stack.cli("users", "import", "--encoding", "utf-8", str(users), check=False)
    assert wrong.returncode == 1 and "line 2 is not utf-8" in wrong.stderr and "Traceback" not in wrong.stderr
    latin = stack.root / "latin.csv"
    latin.write_bytes(b"login\n\xff\xfe\xff\n")
    unreadable = stack.cli("users", "import", str(latin), check=False)
    assert unreadable.returncode == 1 and "neither UTF-8 nor CP949" in unreadable.stderr


def test_a_backup_restored_into_a_fresh_data_folder_releases_its_held_jobs(stack, documents, tmp_path):
    for n in range(2):
        stack.lp(documents["pdf"], "김성렬", f"예산안 {n}.pdf")
    stack.wait_jobs(2, JobState.HELD)
    done = stack.cli("backup", str(tmp_path / "backup"))
    assert "2 document(s)" in done.stdout
    stack.stop_server()
    # A new machine: empty data folder and database, the same keys (from the backup's configuration).
    fresh = Stack(stack.cupsd, tmp_path / "new", f"sqlite:///{tmp_path / 'new' / 'data' / 'printrelease.sqlite3'}")
    fresh.cli("restore", str(tmp_path / "backup"))
    refused = fresh.cli("restore", str(tmp_path / "backup"), check=False)
    assert refused.returncode == 1 and "already holds data" in refused.stderr
    assert [j.state for j in fresh.jobs()] == [JobState.HELD, JobState.HELD]
    done = fresh.cli("jobs", "release", "--user", "김성렬", "--printer", "dept-a", "--timeout", "60")
    assert done.stdout.count(": printed (") == 2
    assert [p.read_bytes() for p in stack.output("dept-a")] == [documents["pdf"].read_bytes()] * 2
    fresh.runtime.close()


def test_doctor_names_each_fault_of_a_broken_installation(stack, tmp_path):
    healthy = stack.cli("doctor")
    assert "overall:" in healthy.stdout and "FAIL" not in healthy.stdout, healthy.stdout
    subprocess.run(["cupsdisable", "-h", stack.cupsd.address, "-r", "토너 없음", "dept-b"], check=True)
    settings = stack.env() | {"PRINTRELEASE_CUPS_BACKEND_DIR": str(tmp_path / "no-backend"),
                              "PRINTRELEASE_DATA_DIR": str(tmp_path / "other"),
                              "PRINTRELEASE_DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}",
                              "PRINTRELEASE_CAPTURE_QUEUE": "no-such-queue"}
    done = subprocess.run([*stack.cli_command(), "doctor"], env=settings, capture_output=True, text=True)
    out = done.stdout
    assert done.returncode == 1
    assert "FAIL  database" in out and "printrelease db upgrade" in out
    assert "FAIL  backend" in out and "missing" in out
    assert "FAIL  capture queue" in out and "no queue no-such-queue" in out
    broken = stack.env() | {"PRINTRELEASE_CUPS_SERVER": "127.0.0.1:1"}
    out = subprocess.run([*stack.cli_command(), "doctor"], env=broken, capture_output=True, text=True).stdout
    assert "FAIL  cups" in out
    out = stack.cli("doctor", check=False).stdout
    assert "FAIL  printer dept-b" in out and "토너 없음" in out and "cupsenable dept-b" in out
    subprocess.run(["cupsenable", "-h", stack.cupsd.address, "dept-b"], check=True)


def test_authenticated_capture_guards_the_member_queues_too(stack):
    stack.cli("cups", "install-queue", "--server-url", stack.url, "--backend-dir", str(stack.cupsd.backend_dir),
              "--members", "2", "--auth", "basic")
    again = stack.cli("cups", "install-queue", "--backend-dir", str(stack.cupsd.backend_dir))
    assert "authentication: basic" in again.stdout and "capture credential: kept" in again.stdout
    host, port = stack.cupsd.address.split(":")
    connection = cups.Connection(host=host, port=int(port))
    for queue in ("secure-print", "secure-print-capture-1", "secure-print-capture-2"):
        assert connection.getPrinterAttributes(queue)["printer-op-policy"] == "authenticated"
    cups.setPasswordCB(lambda *_: "")  # nobody to type a password: the request is refused
    try:
        with pytest.raises((cups.IPPError, cups.HTTPError)):
            connection.printTestPage("secure-print-capture-1")
    finally:
        cups.setPasswordCB(lambda *_: None)
    opened = stack.cli("cups", "install-queue", "--backend-dir", str(stack.cupsd.backend_dir), "--auth", "none")
    assert "anyone who can reach it can print under any name" in opened.stderr


def test_a_configuration_file_is_read_and_the_environment_wins(tmp_path):
    config = tmp_path / "printrelease.conf"
    config.write_text("# comment\nPRINTRELEASE_DATA_DIR=/srv/print\nPRINTRELEASE_HOLD_HOURS='48'\n"
                      "PRINTRELEASE_LOG_FORMAT=json\n")
    settings = Settings.from_env({"PRINTRELEASE_CONFIG": str(config), "PRINTRELEASE_HOLD_HOURS": "2"})
    assert (str(settings.data_dir), settings.hold_time.total_seconds(), settings.log_format) == ("/srv/print", 7200,
                                                                                                 "json")
    config.write_text("PRINTRELEASE_DATABASE_ULR=x\n")
    with pytest.raises(Exception, match="line 1: PRINTRELEASE_DATABASE_ULR is not a printrelease setting"):
        Settings.from_env({"PRINTRELEASE_CONFIG": str(config)})
    assert Runtime(Settings(data_dir=tmp_path)).actor == "system"
    shutil.rmtree(tmp_path / "srv", ignore_errors=True)
