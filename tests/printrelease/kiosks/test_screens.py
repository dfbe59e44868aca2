"""What a kiosk shows and may do: any tap's outcome at an "all" station, a tap still being answered, a
screen version that changes exactly when the screen would, actions only for the tap still shown."""

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import event, update

from printrelease.accounts.service import set_active
from printrelease.db import utcnow
from printrelease.jobs.capture import CaptureRequest, capture_job
from printrelease.jobs.errors import UnknownJob
from printrelease.jobs.models import Job
from printrelease.kiosks.errors import ScreenChanged
from printrelease.kiosks.models import Kiosk
from printrelease.kiosks.screens import (KioskVisitor, TapShown, UnknownCardTap, end_kiosk_session, kiosk_screen,
                                         kiosk_view, visitor_for, visitor_jobs)
from printrelease.kiosks.service import create_pairing_code, pair_kiosk
from printrelease.stations.models import Station, Tap, TapOutcome
from printrelease.stations.service import set_release_mode
from sandbox.documents import make_pdf
from tests.printrelease.kiosks.conftest import KEY


@pytest.fixture
def kiosk(runtime, station):
    """A kiosk paired with reader-a."""
    with runtime.sessions.begin() as session:
        return pair_kiosk(session, create_pairing_code(session, "reader-a")[1])[0].id


def hold(runtime, login, n):
    body = make_pdf(runtime.settings.data_dir / "doc.pdf", "문서", 2).read_bytes()
    with runtime.sessions.begin() as session:
        return [capture_job(session, runtime.spool, runtime.capture_policy,
                            CaptureRequest(user=login, title=f"{login} {i}", options=f"job-uuid={uuid.uuid4()}"),
                            [body]).job.id for i in range(n)]


def screen(runtime, kiosk_id):
    with runtime.sessions() as session:
        return kiosk_screen(session, session.get(Kiosk, kiosk_id), KEY)


def test_an_all_station_shows_the_outcome_of_every_tap(runtime, taps, kiosk, server, station):
    with runtime.sessions.begin() as session:
        set_release_mode(session, "reader-a", "all")
    hold(runtime, "kimsr", 2)
    taps.tap(station, "04A1B2C3")
    shown = screen(runtime, kiosk).shown
    assert isinstance(shown, TapShown) and (shown.outcome, shown.jobs, shown.pages) == ("released", 2, 4)
    assert shown.words("ko") == "김성렬님, 2건 4쪽을 dept-a에서 출력합니다."
    assert "2 job(s), 4 page(s) at dept-a" in shown.words("en")
    taps.tap(station, "04A1B2C3")
    assert screen(runtime, kiosk).shown.outcome == "nothing_to_print"
    server.down = True
    hold(runtime, "kimsr", 1)
    taps.tap(station, "04A1B2C3")
    shown = screen(runtime, kiosk).shown
    assert shown.outcome == "printer_unavailable" and "connection refused" in shown.words("en")
    with runtime.sessions.begin() as session:
        set_active(session, "leejy", False)
    taps.tap(station, "04A1B2C4")
    assert screen(runtime, kiosk).shown.outcome == "card_disabled"
    with runtime.sessions.begin() as session:
        assert end_kiosk_session(session, station, screen(runtime, kiosk).shown.tap_id)
    assert screen(runtime, kiosk).shown is None


def test_a_tap_still_being_answered_says_so(runtime, taps, kiosk, station):
    with runtime.sessions.begin() as session:
        session.add(Tap(station_id=station, card_hash="", last4="", outcome=TapOutcome.PENDING, request_id="r1"))
    shown = screen(runtime, kiosk).shown
    assert isinstance(shown, TapShown) and shown.outcome == "pending" and "wait" in shown.words("en")


def test_the_version_changes_exactly_when_the_screen_would(runtime, taps, kiosk, station):
    idle = screen(runtime, kiosk)
    assert idle.shown is None and (idle.printer, idle.location, idle.release_mode) == ("dept-a", "3층 복도", "choose")
    assert screen(runtime, kiosk).version == idle.version
    hold(runtime, "kimsr", 2)
    assert screen(runtime, kiosk).version == idle.version, "someone's jobs are not on the idle screen"
    taps.tap(station, "04A1B2C3")
    shown = screen(runtime, kiosk)
    assert isinstance(shown.shown, KioskVisitor) and shown.version != idle.version
    assert screen(runtime, kiosk).version == shown.version
    (extra,) = hold(runtime, "kimsr", 1)
    more = screen(runtime, kiosk)
    assert more.version != shown.version and more.jobs_mark[0] == 3
    with runtime.sessions.begin() as session:
        session.execute(update(Job).where(Job.id == extra).values(copies=2))
    assert screen(runtime, kiosk).version != more.version, "a job changed on the user's own page"
    with runtime.sessions.begin() as session:
        session.execute(update(Station).values(release_mode="all"))
    assert screen(runtime, kiosk).version != more.version
    with runtime.sessions.begin() as session:
        session.execute(update(Tap).values(at=utcnow() - timedelta(seconds=61)))
    assert screen(runtime, kiosk).shown is None


def test_a_screen_takes_as_many_queries_for_twenty_jobs_as_for_one(runtime, taps, kiosk, station):
    def statements():
        seen = []
        listener = lambda *_args: seen.append(1)  # noqa: E731
        event.listen(runtime.engine, "before_cursor_execute", listener)
        try:
            with runtime.sessions() as session:
                kiosk_screen(session, session.get(Kiosk, kiosk), KEY)
        finally:
            event.remove(runtime.engine, "before_cursor_execute", listener)
        return len(seen)

    idle = statements()
    hold(runtime, "kimsr", 1)
    taps.tap(station, "04A1B2C3")
    few = statements()
    hold(runtime, "kimsr", 19)
    assert statements() == few and few - idle == 2, "the visitor and their jobs' mark, whatever their number"


def test_actions_are_only_for_the_tap_still_shown_and_the_visitors_own_jobs(runtime, taps, kiosk, station):
    mine, theirs = hold(runtime, "kimsr", 2), hold(runtime, "leejy", 1)
    taps.tap(station, "04A1B2C3")
    with runtime.sessions() as session:
        tap_id = kiosk_view(session, station, KEY).tap_id
        visitor = visitor_for(session, station, tap_id)
        assert visitor.login == "kimsr"
        assert visitor_jobs(session, visitor, [mine[1], mine[0], mine[1]]) == [mine[1], mine[0]]
        with pytest.raises(UnknownJob):
            visitor_jobs(session, visitor, [mine[0], theirs[0]])
        with pytest.raises(UnknownJob):
            visitor_jobs(session, visitor, [10_000])
    taps.tap(station, "04A1B2C4")  # 이지영 taps: 김성렬's screen is gone
    with runtime.sessions() as session:
        with pytest.raises(ScreenChanged):
            visitor_for(session, station, tap_id)
        newer = kiosk_view(session, station, KEY).tap_id
        assert visitor_for(session, station, newer).login == "leejy"
    with runtime.sessions.begin() as session:
        set_active(session, "leejy", False)
    with runtime.sessions() as session, pytest.raises(ScreenChanged):
        visitor_for(session, station, newer)


def test_an_unknown_card_shows_its_code_then_nothing_once_claimed(runtime, taps, kiosk, station):
    from printrelease.cards.service import claim_card_with_code

    result = taps.tap(station, "FFEEDDCC")
    shown = screen(runtime, kiosk).shown
    assert isinstance(shown, UnknownCardTap) and shown.claim_code == result.claim_code
    with runtime.sessions.begin() as session:
        claim_card_with_code(session, KEY, "leejy", "reader-a", shown.claim_code, timedelta(minutes=10))
    assert screen(runtime, kiosk).shown is None
