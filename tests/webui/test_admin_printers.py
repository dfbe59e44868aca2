"""The printers page against the session's real cupsd: sync (added, refreshed, moved, skipped and why,
unshared), add, import from a Korean Excel CSV, location, enable and disable, removal refused while stations
use a printer; status in words; every change in the audit trail with who and from where."""

from __future__ import annotations

import io
import subprocess

import pytest
from sqlalchemy import select

from printrelease.accounts.service import get_user, set_language
from printrelease.config import Settings
from printrelease.cupsadmin import capture_uri, install_queue, lpadmin
from printrelease.db import utcnow
from printrelease.printers.models import Printer
from printrelease.stations.service import add_station
from tests.webui import admin_helpers
from tests.webui.admin_helpers import ADDRESS, entries, flashed, post, text
from tests.webui.conftest import form_token

admin = admin_helpers.admin  # the fixture: the admin's client

CAPTURES = ("secure-print-capture-1", "secure-print-capture-2")


@pytest.fixture
def settings(tmp_path, database_url, cupsd) -> Settings:
    return Settings(data_dir=tmp_path / "data", database_url=database_url, cups_server=cupsd.address)


@pytest.fixture
def cups(cupsd):
    """The session's cupsd with the virtual queue as a class of two capture queues, and dept-b shared (as
    an unwary administrator leaves a department queue); as it was afterwards."""
    install_queue(cupsd.address, "secure-print", capture_uri("http://127.0.0.1:1", "token"), members=2)
    lpadmin(cupsd.address, "-p", "dept-b", "-o", "printer-is-shared=true")
    yield cupsd
    for queue in ("secure-print", *CAPTURES):
        subprocess.run(["lpadmin", "-h", cupsd.address, "-x", queue], capture_output=True)
    lpadmin(cupsd.address, "-p", "dept-b", "-o", "printer-is-shared=false")


def printers(runtime) -> dict[str, Printer]:
    with runtime.sessions() as session:
        return {p.name: p for p in session.scalars(select(Printer))}


def test_a_sync_says_what_it_added_skipped_and_why_and_unshares_department_queues(admin, runtime, cups):
    answer = post(admin, "/admin/printers/sync")
    html = text(answer)
    assert answer.status_code == 200 and "CUPS와 동기화했습니다" in html
    assert "secure-print: 건너뜀 (CUPS 클래스(가상 대기열일 수 있음))" in html
    assert "secure-print-capture-1: 건너뜀 (클래스 secure-print의 구성 대기열)" in html
    assert "dept-b은(는) CUPS 서버에서 공유되어 있었습니다" in html
    known = printers(runtime)
    assert {"dept-a", "dept-b", "discard"} <= set(known) and not set(CAPTURES) & set(known)
    assert known["dept-a"].location == "3층 기획예산과"
    assert not next(q for q in runtime.print_server().queues() if q.name == "dept-b").shared
    (entry,) = entries(runtime, "printers.sync")
    assert (entry.actor, entry.target, entry.address) == ("choihs", cups.address, ADDRESS)
    # Other tests may have left queues of their own on the session's cupsd: each list is read as a list.
    lists = dict(part.split(": ", 1) for part in entry.detail.split("; "))
    assert {"dept-a", "dept-b", "discard"} <= set(lists["added"].split(", "))
    assert {"secure-print", "secure-print-capture-1"} <= set(lists["skipped"].split(", "))
    again = text(post(admin, "/admin/printers/sync"))
    assert "새로 읽음" in again and "dept-b은(는) CUPS 서버에서 공유되어" not in again


def test_the_list_says_each_printers_status_in_words_and_refreshes_alone(admin, runtime):
    with runtime.sessions.begin() as session:
        session.add_all([
            Printer(name="dept-a", cups_server="127.0.0.1:1", cups_queue="dept-a", location="3층", status_state=5,
                    status_reasons="media-jam-error", status_message="용지함 2", status_checked_at=utcnow()),
            Printer(name="dept-b", cups_server="127.0.0.1:1", cups_queue="dept-b", is_active=False,
                    supports_duplex=True, status_state=3, status_reasons="toner-low-warning",
                    status_markers='[{"name": "Black", "type": "toner", "level": 7}]', status_checked_at=utcnow())])
    html = text(admin.get("/admin/printers"))
    assert "지금 인쇄할 수 없음: 용지 걸림 (용지함 2)" in html
    assert "준비됨; 토너 부족" in html and "Black 7%" in html and "사용 중지됨" in html
    rows = text(admin.get("/admin/printers/rows"))
    assert rows.lstrip().startswith('<tbody id="printer-rows"') and "<html" not in rows and "용지 걸림" in rows
    with runtime.sessions.begin() as session:
        set_language(session, get_user(session, "choihs"), "en")
    assert "cannot print now: paper jam (용지함 2)" in text(admin.get("/admin/printers"))


def test_add_moves_a_printer_and_refuses_what_cannot_be_one(admin, runtime, cups):
    answer = post(admin, "/admin/printers/add", {"name": "dept-a", "location": "3층 기획예산과"})
    assert answer.status_code == 200 and "프린터를 추가했습니다" in text(answer)
    moved = text(post(admin, "/admin/printers/add", {"name": "dept-a", "cups_server": f"localhost:{cups.port}"}))
    assert f"dept-a: {cups.address}/dept-a에서 localhost:{cups.port}/dept-a(으)로 옮김" in moved
    assert printers(runtime)["dept-a"].cups_server == f"localhost:{cups.port}"
    added, moved_entry = entries(runtime, "printers.add")
    assert (added.actor, added.address, added.detail) == ("choihs", ADDRESS, f"{cups.address}/dept-a, 3층 기획예산과")
    member = post(admin, "/admin/printers/add", {"name": "capture", "queue": "secure-print-capture-1"})
    assert member.status_code == 400
    assert "secure-print-capture-1은(는) 프린터가 될 수 없습니다: 클래스 secure-print의 구성 대기열입니다" in text(member)
    missing = post(admin, "/admin/printers/add", {"name": "nope"})
    assert missing.status_code == 400 and f"{cups.address}의 CUPS에 'nope' 대기열이 없습니다" in text(missing)
    spaced = post(admin, "/admin/printers/add", {"name": "3층 프린터"})
    assert spaced.status_code == 400 and "띄어쓰기, 빗금(/), #은 쓸 수 없습니다" in text(spaced)
    away = post(admin, "/admin/printers/add", {"name": "dept-x", "cups_server": "127.0.0.1:1"})
    assert away.status_code >= 400 and "127.0.0.1:1" in text(away)
    assert set(printers(runtime)) == {"dept-a"} and len(entries(runtime, "printers.add")) == 2


def test_location_disable_enable_and_removal_only_without_stations(admin, client_as, runtime, cups):
    post(admin, "/admin/printers/sync")
    answer = post(admin, "/admin/printers/location", {"name": "dept-a", "location": " 3층  회의실 "})
    assert answer.status_code == 303 and answer.headers["Location"] == "/admin/printers/printer?name=dept-a"
    assert "dept-a의 위치를 저장했습니다" in flashed(admin, answer.headers["Location"])
    assert printers(runtime)["dept-a"].location == "3층 회의실"
    post(admin, "/admin/printers/active", {"name": "dept-a"})
    assert not printers(runtime)["dept-a"].is_active
    assert 'value="dept-a"' not in text(client_as("user").get("/jobs/printers")), "users cannot choose it now"
    post(admin, "/admin/printers/active", {"name": "dept-a", "active": "y"})
    assert printers(runtime)["dept-a"].is_active
    with runtime.sessions.begin() as session:
        add_station(session, "reader-b", "dept-b")
    refused = post(admin, "/admin/printers/remove", {"name": "dept-b", "confirm": "y"})
    assert "스테이션 reader-b이(가) 이 프린터로 출력합니다" in flashed(admin, refused.headers["Location"])
    assert "dept-b" in printers(runtime)
    unticked = post(admin, "/admin/printers/remove", {"name": "dept-a"})
    assert "확인란에 표시해 주세요" in flashed(admin, unticked.headers["Location"]) and "dept-a" in printers(runtime)
    gone = post(admin, "/admin/printers/remove", {"name": "dept-a", "confirm": "y"})
    assert gone.headers["Location"] == "/admin/printers" and "dept-a" not in printers(runtime)
    assert [(e.action, e.target, e.detail) for e in entries(runtime) if e.action != "printers.sync"] == [
        ("printers.set_location", "dept-a", "3층 회의실"), ("printers.disable", "dept-a", ""),
        ("printers.enable", "dept-a", ""), ("printers.remove", "dept-a", "")]
    assert admin.get("/admin/printers/printer?name=dept-a").status_code == 404


def upload(client, path, data: bytes, filename="프린터.csv", encoding="", token_page="/admin"):
    return client.post(path, data={"csrf_token": form_token(client, token_page), "encoding": encoding,
                                   "file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data", environ_base={"REMOTE_ADDR": ADDRESS})


def test_printers_are_imported_from_a_korean_excel_csv_all_or_none(admin, runtime, cups):
    rows = "name,queue,location\n기획예산과,dept-a,3층 기획예산과\n민원봉사과,dept-b,5층\n"
    answer = upload(admin, "/admin/printers/import", rows.encode("cp949"))
    assert answer.status_code == 200 and "프린터 2대를 가져왔습니다(CP949로 읽음)" in text(answer)
    assert printers(runtime)["기획예산과"].location == "3층 기획예산과"
    (entry,) = entries(runtime, "printers.import")
    assert (entry.target, entry.detail, entry.address) == ("프린터.csv", "CP949: 기획예산과, 민원봉사과", ADDRESS)
    bad = upload(admin, "/admin/printers/import", "name,queue\n민원,dept-b\n없음,nope\n".encode("cp949"))
    assert bad.status_code == 400 and "아무것도 가져오지 않았습니다: 3번째 줄:" in text(bad)
    assert "민원" not in printers(runtime)
    wrong = upload(admin, "/admin/printers/import", rows.encode("cp949"), encoding="utf-8")
    assert "프린터.csv을(를) utf-8(으)로 읽을 수 없습니다(2번째 줄)" in text(wrong)
    empty = post(admin, "/admin/printers/import")
    assert empty.status_code == 400 and "먼저 CSV 파일을 고르세요" in text(empty)


def test_a_csv_past_the_limit_is_refused_and_only_admins_may_send_one(admin, client_as, runtime):
    big = upload(admin, "/admin/printers/import", b"name,queue\n" + b"x,y\n" * 600_000)
    assert big.status_code == 303 and "파일이 2MB보다 큽니다" in flashed(admin, "/admin/printers")
    user = client_as("user")
    assert upload(user, "/admin/printers/import", b"name,queue\n", token_page="/jobs").status_code == 403
    assert upload(user, "/admin/printers/import", b"x" * 100_000, token_page="/jobs").status_code == 413
    assert entries(runtime) == []


def test_a_province_of_printers_is_shown_a_hundred_at_a_time(admin, runtime):
    with runtime.sessions.begin() as session:
        session.add_all([Printer(name=f"p{n:03d}", cups_queue=f"p{n:03d}") for n in range(130)])
    first = admin.get("/admin/printers").get_data(as_text=True)
    assert first.count('href="/admin/printers/printer?name=p') == 100 and 'href="/admin/printers?page=2"' in first
    second = admin.get("/admin/printers/rows?page=2").get_data(as_text=True)
    assert second.count('href="/admin/printers/printer?name=p') == 30 and "p129" in second
    assert 'hx-get="/admin/printers/rows?page=2"' in second, "the refresh keeps its page"
