"""A station in "choose" mode: a tap identifies the person and releases nothing; the station's kiosk shows
that person for a short time, until another tap, or until it is ended."""

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from printrelease.accounts.service import set_active
from printrelease.db import utcnow
from printrelease.errors import Invalid
from printrelease.jobs.capture import CaptureRequest, capture_job
from printrelease.cards.service import claim_card_with_code
from printrelease.kiosks.screens import UnknownCardTap, current_kiosk_user, end_kiosk_session, kiosk_view
from printrelease.stations.models import Tap, TapOutcome
from printrelease.stations.service import add_station, set_release_mode
from sandbox.documents import make_pdf
from tests.printrelease.kiosks.conftest import KEY


@pytest.fixture
def held(runtime, tmp_path):
    body = make_pdf(tmp_path / "doc.pdf", "예산안", 3).read_bytes()
    with runtime.sessions.begin() as session:
        for n in range(2):
            capture_job(session, runtime.spool, runtime.capture_policy,
                        CaptureRequest(user="kimsr", title=f"문서 {n}", options=f"job-uuid=c{n}"), [body])


def visitor(runtime, station, within=timedelta(seconds=60), tap_id=None):
    with runtime.sessions() as session:
        return current_kiosk_user(session, station, within, tap_id)


def test_a_tap_identifies_releases_nothing_and_opens_the_kiosk(runtime, taps, station, held, server):
    result = taps.tap(station, "04A1B2C3", request_id="r1")
    assert (result.outcome, result.display_name, result.jobs, result.pages) == (TapOutcome.IDENTIFIED, "김성렬", 2, 6)
    assert server.remote == {}
    assert result.as_dict()["say"]["ko"].startswith("김성렬")
    shown = visitor(runtime, station)
    assert (shown.login, shown.display_name, shown.held_jobs) == ("kimsr", "김성렬", 2)
    assert visitor(runtime, station, tap_id=shown.tap_id) == shown
    with runtime.sessions() as session:
        assert session.scalar(select(Tap.outcome)) == TapOutcome.IDENTIFIED


def test_the_kiosk_forgets_after_the_window_another_tap_or_the_end(runtime, taps, station, held):
    taps.tap(station, "04A1B2C3")
    first = visitor(runtime, station)
    with runtime.sessions.begin() as session:
        session.execute(update(Tap).values(at=utcnow() - timedelta(seconds=61)))
    assert visitor(runtime, station) is None
    taps.tap(station, "04A1B2C3")
    assert visitor(runtime, station).tap_id != first.tap_id
    taps.tap(station, "FFEEDDCC")  # an unknown card at the same reader: nobody's jobs stay on screen
    assert visitor(runtime, station) is None
    second = taps.tap(station, "04A1B2C4")
    assert second.outcome == TapOutcome.IDENTIFIED and second.jobs == 0
    shown = visitor(runtime, station)
    assert shown.login == "leejy" and visitor(runtime, station, tap_id=first.tap_id) is None
    with runtime.sessions.begin() as session:
        assert end_kiosk_session(session, station, shown.tap_id)
        assert not end_kiosk_session(session, station, shown.tap_id)
    assert visitor(runtime, station) is None


def test_a_disabled_user_is_not_shown(runtime, taps, station, held):
    taps.tap(station, "04A1B2C3")
    with runtime.sessions.begin() as session:
        set_active(session, "kimsr", False)
    assert visitor(runtime, station) is None
    assert taps.tap(station, "04A1B2C3").outcome == TapOutcome.CARD_DISABLED


def test_in_all_mode_a_tap_releases_as_before(runtime, taps, station, held, server):
    with runtime.sessions.begin() as session:
        set_release_mode(session, "reader-a", "all")
        with pytest.raises(Invalid):
            set_release_mode(session, "reader-a", "some")
    assert taps.tap(station, "04A1B2C3").outcome == TapOutcome.RELEASED
    assert len(server.remote) == 2 and visitor(runtime, station) is None


def test_another_stations_kiosk_shows_nobody(runtime, taps, station, held):
    with runtime.sessions.begin() as session:
        other = add_station(session, "reader-b", "dept-a", release_mode="choose")[0].id
    taps.tap(station, "04A1B2C3")
    assert visitor(runtime, other) is None
    with runtime.sessions.begin() as session:
        assert not end_kiosk_session(session, other, visitor(runtime, station).tap_id)


def test_the_kiosk_shows_an_unknown_cards_claim_code_which_claims_it(runtime, taps, station):
    result = taps.tap(station, "FFEEDDCC")
    with runtime.sessions() as session:
        shown = kiosk_view(session, station, KEY)
        stored = session.scalar(select(Tap))
        assert stored.claim_code_masked != result.claim_code and result.claim_code not in stored.answer
    assert isinstance(shown, UnknownCardTap)
    assert (shown.claim_code, shown.last4, shown.station) == (result.claim_code, "DDCC", "reader-a")
    with runtime.sessions.begin() as session:
        card = claim_card_with_code(session, KEY, "leejy", "reader-a", shown.claim_code, timedelta(minutes=10))
        assert card.last4 == "DDCC"
    with runtime.sessions() as session:
        assert kiosk_view(session, station, KEY) is None, "a claimed card's code is shown no more"
    taps.tap(station, "AABBCCDD")
    with runtime.sessions.begin() as session:
        tap_id = kiosk_view(session, station, KEY).tap_id
        assert end_kiosk_session(session, station, tap_id)
    with runtime.sessions() as session:
        assert kiosk_view(session, station, KEY) is None


def test_kiosk_view_shows_the_identified_person(runtime, taps, station, held):
    taps.tap(station, "04A1B2C3")
    with runtime.sessions() as session:
        assert kiosk_view(session, station, KEY).login == "kimsr"
