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
                                         kiosk_view, screen_version, visitor_for, visitor_jobs)
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


def version(runtime, kiosk_id):
    with runtime.sessions() as session:
        found = screen_version(session, session.get(Kiosk, kiosk_id).credential_id)
        return found and found.version


def changes(runtime, kiosk_id, before, change) -> str:
    """Make the change (a function of a session, committed) and return the version after it."""
    with runtime.sessions.begin() as session:
        change(session)
    after = version(runtime, kiosk_id)
    assert after != before, change
    return after


def test_the_version_changes_whenever_the_screen_would_and_only_then(runtime, taps, kiosk, station):
    from printrelease.accounts.models import User
    from printrelease.kiosks.service import unpair
    from printrelease.prices.service import set_price
    from printrelease.printers.models import Printer
    from printrelease.stations.service import add_station

    idle = screen(runtime, kiosk)
    assert idle.shown is None and (idle.printer, idle.location, idle.release_mode) == ("dept-a", "3층 복도", "choose")
    current = version(runtime, kiosk)
    assert version(runtime, kiosk) == current
    hold(runtime, "kimsr", 2)
    with runtime.sessions.begin() as session:
        elsewhere = add_station(session, "reader-b", "dept-a", release_mode="choose")[0].id
    taps.tap(elsewhere, "04A1B2C4")
    assert version(runtime, kiosk) == current, "someone's jobs, or a tap elsewhere, are not on this screen"
    taps.tap(station, "04A1B2C3")
    assert isinstance(screen(runtime, kiosk).shown, KioskVisitor) and version(runtime, kiosk) != current
    current = version(runtime, kiosk)
    assert version(runtime, kiosk) == current
    hold(runtime, "leejy", 1)
    assert version(runtime, kiosk) == current, "another person's jobs"
    (extra,) = hold(runtime, "kimsr", 1)
    current = version(runtime, kiosk)
    for change in (
            lambda session: session.execute(update(Job).where(Job.id == extra).values(copies=2)),
            lambda session: session.execute(update(Job).where(Job.id == extra).values(expires_at=utcnow())),
            lambda session: set_price(session, "A4", "KRW", mono="20", colour="100"),
            lambda session: session.execute(update(User).where(User.login == "kimsr").values(display_name="김 성렬")),
            lambda session: session.execute(update(Station).values(release_mode="all")),
            lambda session: session.execute(update(Printer).values(location="4층")),
            lambda session: session.execute(update(Printer).values(is_active=False)),
            lambda session: set_active(session, "kimsr", False),
            lambda session: session.execute(update(Tap).values(at=utcnow() - timedelta(seconds=61)))):
        current = changes(runtime, kiosk, current, change)
    assert screen(runtime, kiosk).shown is None
    with runtime.sessions.begin() as session:
        set_active(session, "kimsr", True)
    taps.tap(station, "FFEEDDCC")
    current = version(runtime, kiosk)
    tap_id = screen(runtime, kiosk).shown.tap_id
    current = changes(runtime, kiosk, current, lambda session: end_kiosk_session(session, station, tap_id))
    with runtime.sessions.begin() as session:
        session.add(Tap(station_id=station, card_hash="", last4="", outcome=TapOutcome.PENDING, request_id="r2"))
    current = version(runtime, kiosk)
    current = changes(runtime, kiosk, current, lambda session: session.execute(
        update(Tap).where(Tap.request_id == "r2").values(outcome=TapOutcome.NOTHING_TO_PRINT, answer="{}")))
    with runtime.sessions.begin() as session:
        unpair(session, "reader-a")
    assert version(runtime, kiosk) is None


def test_the_version_is_one_statement_and_a_screen_no_query_per_job(runtime, taps, kiosk, station):
    def statements(work):
        seen = []
        listener = lambda _conn, _cursor, sql, *_args: sql.startswith("BEGIN") or seen.append(sql)  # noqa: E731
        with runtime.sessions() as session:
            loaded = session.get(Kiosk, kiosk)
            event.listen(runtime.engine, "before_cursor_execute", listener)
            try:
                work(session, loaded)
            finally:
                event.remove(runtime.engine, "before_cursor_execute", listener)
        return len(seen)

    def look(session, loaded):
        return screen_version(session, loaded.credential_id)

    def draw(session, loaded):
        return kiosk_screen(session, loaded, KEY)

    assert statements(look) == 1
    hold(runtime, "kimsr", 1)
    taps.tap(station, "04A1B2C3")
    few = statements(draw)
    hold(runtime, "kimsr", 19)
    assert (statements(look), statements(draw)) == (1, few), "whatever the number of jobs"


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
