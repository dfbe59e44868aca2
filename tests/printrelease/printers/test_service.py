"""Printers as administrators manage them: notes of a sync in either language, location, and refusals that
say why."""

import pytest
from sqlalchemy import select

from printrelease.printers.errors import PrinterConflict, PrinterInUse
from printrelease.printers.models import Printer
from printrelease.printers.service import add_printer, remove_printer, set_printer_location, sync_printers
from printrelease.printing import QueueInfo
from printrelease.stations.service import add_station, set_station_printer, stations_at
from tests.fakes import FakePrintServer


@pytest.fixture
def server():
    return FakePrintServer([QueueInfo("dept-a", location="3층"), QueueInfo("dept-b", sides_supported=(
        "one-sided", "two-sided-long-edge")), QueueInfo("secure-print", is_class=True, members=("capture-1",)),
        QueueInfo("capture-1", device_uri="printrelease://127.0.0.1:8631/x"),
        QueueInfo("lone-capture", device_uri="printrelease://127.0.0.1:8631/y")])


def test_a_sync_says_what_it_skipped_and_why_in_either_language(session, server):
    notes = []
    synced = sync_printers(session, server, note=notes.append)
    assert [p.name for p in synced] == ["dept-a", "dept-b"]
    assert {(n.queue, n.kind) for n in notes} == {("secure-print", "skipped"), ("capture-1", "skipped"),
                                                  ("lone-capture", "skipped")}
    by_queue = {n.queue: n for n in notes}
    assert str(by_queue["capture-1"]) == "capture-1: skipped, a member of the class secure-print"
    assert by_queue["capture-1"].words("ko") == "capture-1: 건너뜀 (클래스 secure-print의 구성 대기열)"
    assert by_queue["lone-capture"].words("ko") == "lone-capture: 건너뜀 (printrelease 수집용 대기열)"


def test_a_move_is_noted_and_a_class_member_cannot_be_added(session, server):
    sync_printers(session, server)
    elsewhere = FakePrintServer([QueueInfo("dept-a")])
    elsewhere.address = "print2:631"
    notes = []
    moved = add_printer(session, elsewhere, "dept-a", "dept-a", note=notes.append)
    assert (moved.cups_server, [n.kind for n in notes]) == ("print2:631", ["moved"])
    assert notes[0].words("ko") == "dept-a: fake:631/dept-a에서 print2:631/dept-a(으)로 옮김"
    with pytest.raises(PrinterConflict) as refused:
        add_printer(session, server, "capture", "capture-1")
    assert refused.value.words("ko") == "capture-1은(는) 프린터가 될 수 없습니다: 클래스 secure-print의 구성 대기열입니다"


def test_a_location_is_tidied_and_bounded(session, server):
    sync_printers(session, server)
    assert set_printer_location(session, "dept-a", "  5층   민원봉사과 ").location == "5층 민원봉사과"
    assert set_printer_location(session, "dept-a", "").location == ""
    with pytest.raises(PrinterConflict):
        set_printer_location(session, "dept-a", "가" * 256)


def test_a_station_moves_to_another_printer_and_a_printer_with_stations_stays(session, server):
    sync_printers(session, server)
    add_station(session, "reader-a", "dept-a")
    assert [s.name for s in stations_at(session, "dept-a")] == ["reader-a"]
    with pytest.raises(PrinterInUse) as refused:
        remove_printer(session, "dept-a")
    assert "사용 중지" in refused.value.words("ko")
    assert set_station_printer(session, "reader-a", "dept-b").printer.name == "dept-b"
    session.flush()
    assert stations_at(session, "dept-a") == []
    remove_printer(session, "dept-a")
    assert session.scalar(select(Printer).where(Printer.name == "dept-a")) is None
