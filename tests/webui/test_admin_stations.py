"""The stations page: a station created with its token shown once (stored only hashed, in no URL, page or
trail entry after), how to install it, its printer and release mode, when it was last heard from, kiosk
pairing codes shown once, unpairing, removal; every change audited."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from printrelease.credentials.models import ApiToken
from printrelease.credentials.service import BadCredentials, authenticate, hash_token
from printrelease.db import utcnow
from printrelease.kiosks.errors import BadPairingCode
from printrelease.kiosks.service import KIOSK, kiosk_for_token, pair_kiosk
from printrelease.printers.models import Printer
from printrelease.stations.models import Station, Tap, TapOutcome
from printrelease.stations.service import STATION, add_station
from tests.webui import admin_helpers
from tests.webui.admin_helpers import ADDRESS, entries, flashed, post, text

database_url = admin_helpers.sqlite_only  # the fixture: this page works alike on SQLite and PostgreSQL

SECRET = re.compile(r'<code id="secret"[^>]*>([^<]+)</code>')


@pytest.fixture
def admin(client_as, runtime):
    """The admin's client, with printers dept-a (3rd floor), dept-b and dept-off (disabled)."""
    with runtime.sessions.begin() as session:
        session.add_all([Printer(name="dept-a", cups_queue="dept-a", location="3층 기획예산과"),
                         Printer(name="dept-b", cups_queue="dept-b"),
                         Printer(name="dept-off", cups_queue="dept-off", is_active=False)])
    return client_as("admin")


def secret(answer) -> str:
    match = SECRET.search(text(answer))
    assert match, "no secret on the page"
    return match.group(1).strip()


def test_a_station_is_created_with_its_token_shown_once_and_kept_only_hashed(admin, runtime):
    answer = post(admin, "/admin/stations/add", {"name": "dept-3f-reader", "printer": "dept-a",
                                                 "release_mode": "choose", "require_pin": "y"})
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
    token = secret(answer)
    html = text(answer)
    assert "이번 한 번만 보여 드리니 지금 복사하세요" in html
    assert "make install-station SERVER_URL=http://localhost TOKEN=dept-3f-reader.token" in html
    with runtime.sessions() as session:
        station = session.scalar(select(Station))
        assert (station.name, station.printer.name, station.release_mode, station.require_pin) == (
            "dept-3f-reader", "dept-a", "choose", True)
        assert authenticate(session, STATION, token).id == station.credential_id
        stored = session.scalar(select(ApiToken).where(ApiToken.id == station.credential_id))
        assert stored.token_hash == hash_token(token) and token not in stored.token_hash
    (entry,) = entries(runtime, "stations.add")
    assert (entry.actor, entry.target, entry.address) == ("choihs", "dept-3f-reader", ADDRESS)
    assert entry.detail == "at dept-a, release choose, PIN required"
    for later in ("/admin/stations", "/admin/stations/station?name=dept-3f-reader", "/admin/audit"):
        assert token not in text(admin.get(later)), later
    assert all(token not in e.detail + e.target for e in entries(runtime))
    assert token not in str(admin.get_cookie("session").value)


def test_a_station_needs_a_new_name_and_an_enabled_printer(admin, runtime):
    with runtime.sessions.begin() as session:
        add_station(session, "reader-a", "dept-a")
    again = post(admin, "/admin/stations/add", {"name": "reader-a", "printer": "dept-b", "release_mode": "all"})
    assert again.status_code == 400 and "'reader-a' 스테이션이 이미 있습니다" in text(again)
    assert SECRET.search(text(again)) is None
    disabled = post(admin, "/admin/stations/add", {"name": "reader-x", "printer": "dept-off", "release_mode": "all"})
    assert disabled.status_code == 400 and 'value="dept-off"' not in text(disabled)
    spaced = post(admin, "/admin/stations/add", {"name": "3층 리더", "printer": "dept-a", "release_mode": "all"})
    assert spaced.status_code == 400 and "띄어쓰기, 빗금(/), #은 쓸 수 없습니다" in text(spaced)
    assert entries(runtime) == []


def test_the_list_says_what_a_tap_does_and_when_each_was_last_heard_from(admin, runtime):
    with runtime.sessions.begin() as session:
        loud, _ = add_station(session, "reader-a", "dept-a", require_pin=True)
        quiet, _ = add_station(session, "reader-b", "dept-b", release_mode="choose")
        loud.last_seen_at = utcnow() - timedelta(minutes=3)
        session.add(Tap(station_id=loud.id, card_hash="x", last4="0C0D", outcome=TapOutcome.UNKNOWN_CARD,
                        at=utcnow() - timedelta(minutes=1)))
    html = text(admin.get("/admin/stations"))
    assert "카드를 대면 모두 출력" in html and "카드를 댄 뒤 키오스크에서 골라 출력" in html
    assert "필수" in html and "사용자가 정해 둔 경우만" in html
    assert "등록되지 않은 카드" in html and "아직 태그 없음" in html
    assert html.count("연락 없음: 리더기를 확인하세요") == 1, "reader-b was never heard from"


def test_a_station_moves_to_another_printer_and_changes_what_a_tap_does(admin, runtime):
    with runtime.sessions.begin() as session:
        add_station(session, "reader-a", "dept-a")
    moved = post(admin, "/admin/stations/printer", {"name": "reader-a", "printer": "dept-b"})
    assert "이제 reader-a에 카드를 대면 dept-b(으)로 출력됩니다" in flashed(admin, moved.headers["Location"])
    post(admin, "/admin/stations/mode", {"name": "reader-a", "release_mode": "choose"})
    refused = post(admin, "/admin/stations/printer", {"name": "reader-a", "printer": "dept-off"})
    assert refused.status_code == 303
    with runtime.sessions() as session:
        station = session.scalar(select(Station))
        assert (station.printer.name, station.release_mode) == ("dept-b", "choose")
    assert [(e.action, e.detail) for e in entries(runtime)] == [
        ("stations.set_printer", "dept-a -> dept-b"), ("stations.set_release_mode", "choose")]
    assert post(admin, "/admin/stations/mode", {"name": "nobody", "release_mode": "all"}).status_code == 404


def test_a_pairing_code_is_shown_once_pairs_one_kiosk_and_the_kiosk_can_be_unpaired(admin, runtime):
    with runtime.sessions.begin() as session:
        add_station(session, "reader-a", "dept-a", release_mode="choose")
    answer = post(admin, "/admin/stations/pair", {"name": "reader-a"})
    code = secret(answer)
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}", code)
    assert "5분) 한 번만 쓸 수 있습니다" in text(answer) and "http://localhost/kiosk" in text(answer)
    (entry,) = entries(runtime, "stations.pair")
    assert entry.detail.startswith("pairing code valid until ") and code not in entry.detail
    with runtime.sessions.begin() as session:
        kiosk, credential = pair_kiosk(session, code, "3층 키오스크", "10.0.0.7")
    with runtime.sessions.begin() as session, pytest.raises(BadPairingCode):
        pair_kiosk(session, code)
    page = text(admin.get("/admin/stations/station?name=reader-a"))
    assert f"#{kiosk.id} 3층 키오스크" in page and "10.0.0.7" in page and code not in page
    post(admin, "/admin/stations/unpair", {"name": "reader-a", "kiosk": str(kiosk.id)})
    with runtime.sessions() as session, pytest.raises(BadCredentials):
        kiosk_for_token(session, credential)
    assert entries(runtime, "stations.unpair")[0].detail == f"kiosk {kiosk.id}"
    unknown = post(admin, "/admin/stations/unpair", {"name": "reader-a", "kiosk": "999"})
    assert "999" in flashed(admin, unknown.headers["Location"])


def test_removing_a_station_revokes_its_token_and_its_kiosks(admin, runtime):
    with runtime.sessions.begin() as session:
        _station, token = add_station(session, "reader-a", "dept-a")
    code = secret(post(admin, "/admin/stations/pair", {"name": "reader-a"}))
    with runtime.sessions.begin() as session:
        _kiosk, credential = pair_kiosk(session, code)
    unticked = post(admin, "/admin/stations/remove", {"name": "reader-a"})
    assert unticked.headers["Location"] == "/admin/stations/station?name=reader-a"
    assert "확인란에 표시해 주세요" in flashed(admin, unticked.headers["Location"])
    answer = post(admin, "/admin/stations/remove", {"name": "reader-a", "confirm": "y"})
    assert "스테이션 reader-a을(를) 삭제했습니다" in flashed(admin, answer.headers["Location"])
    with runtime.sessions() as session:
        with pytest.raises(BadCredentials):
            authenticate(session, STATION, token)
        with pytest.raises(BadCredentials):
            authenticate(session, KIOSK, credential)
    assert entries(runtime, "stations.remove")[0].detail == "1 kiosk(s) unpaired"
    assert admin.get("/admin/stations/station?name=reader-a").status_code == 404
