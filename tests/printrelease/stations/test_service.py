"""What a tap does, against a fake print server: outcomes, PINs, limits, claims, races."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from printrelease.accounts.pins import hash_pin
from printrelease.accounts.service import add_user, get_user
from printrelease.cards.errors import CardInUse, NothingToClaim
from printrelease.cards.service import add_card, claim_unknown_card, list_cards, remove_card
from printrelease.jobs.models import Job, JobState
from printrelease.jobs.capture import CaptureRequest, capture_job
from printrelease.printers.models import Printer
from printrelease.printing import PRINTER_STOPPED, QueueInfo
from printrelease.release.service import Releaser
from sandbox.documents import make_pdf
from printrelease.stations.models import Tap, TapOutcome
from printrelease.stations.service import TapPolicy, TapService, add_station, last_taps
from tests.fakes import FakePrintServer

KEY = b"test-card-key"
KIM_CARD = "04A1B2C3D4E5F6"


@pytest.fixture
def server():
    return FakePrintServer([QueueInfo("dept-a"), QueueInfo("dept-b")])


@pytest.fixture
def stations(runtime):
    with runtime.sessions.begin() as session:
        session.add_all([Printer(name=n, cups_server="fake:631", cups_queue=n) for n in ("dept-a", "dept-b")])
        session.flush()
        add_user(session, "kimsr", "김성렬")
        add_user(session, "leejy", "이지영")
        add_card(session, KEY, "kimsr", KIM_CARD)
        add_card(session, KEY, "kimsr", "dec:77705923", "spare")
        a = add_station(session, "reader-a", "dept-a")[0].id
        b = add_station(session, "reader-b", "dept-b")[0].id
        pin = add_station(session, "reader-pin", "dept-a", require_pin=True)[0].id
    return {"a": a, "b": b, "pin": pin}


@pytest.fixture
def taps(runtime, server):
    return TapService(runtime.sessions, Releaser(runtime.sessions, runtime.spool, lambda _: server), KEY,
                      TapPolicy(unknown_taps_per_minute=3, wrong_pins_per_15_minutes=2))


@pytest.fixture
def hold(runtime, tmp_path):
    body = make_pdf(tmp_path / "doc.pdf", "예산안", 2).read_bytes()
    counter = iter(range(1000))

    def hold(user="kimsr"):
        n = next(counter)
        with runtime.sessions.begin() as session:
            return capture_job(session, runtime.spool, runtime.capture_policy,
                               CaptureRequest(user=user, title=f"문서 {n}", options=f"job-uuid=t{n}"), [body]).job.id

    return hold


def test_a_tap_releases_all_held_jobs_to_the_stations_printer(taps, stations, server, hold):
    hold(), hold(), hold(user="leejy")
    result = taps.tap(stations["b"], KIM_CARD.lower())
    assert (result.outcome, result.display_name, result.jobs, result.pages) == (TapOutcome.RELEASED, "김성렬", 2, 4)
    assert {j.queue for j in server.printed()} == {"dept-b"}
    assert result.as_dict()["say"] == {"ko": "김성렬님, 2건 4쪽을 dept-b에서 출력합니다.",
                                       "en": "김성렬: printing 2 job(s), 4 page(s) at dept-b."}


def test_either_of_two_cards_works_and_a_second_tap_has_nothing(taps, stations, hold):
    hold()
    assert taps.tap(stations["a"], "04A1B2C3").outcome == TapOutcome.RELEASED
    assert taps.tap(stations["a"], KIM_CARD).outcome == TapOutcome.NOTHING_TO_PRINT


def test_unknown_cards_are_logged_hashed_then_rate_limited(runtime, taps, stations):
    outcomes = [taps.tap(stations["a"], f"0A0B0C0{n}").outcome for n in range(5)]
    assert outcomes == [TapOutcome.UNKNOWN_CARD] * 3 + [TapOutcome.RATE_LIMITED] * 2
    assert taps.tap(stations["b"], "0A0B0C09").outcome == TapOutcome.UNKNOWN_CARD, "the limit is per station"
    with runtime.sessions() as session:
        logged = session.scalars(select(Tap)).all()
        assert all("0A0B" not in t.card_hash and len(t.card_hash) == 64 for t in logged)
        assert {t.last4 for t in logged} >= {"0C00", "0C01"}


def test_the_owner_claims_an_unknown_card_within_the_window(runtime, taps, stations, hold):
    assert taps.tap(stations["a"], "11223344").outcome == TapOutcome.UNKNOWN_CARD
    with runtime.sessions.begin() as session:
        card = claim_unknown_card(session, "leejy", "reader-a", timedelta(minutes=10))
        assert card.last4 == "3344"
    with runtime.sessions.begin() as session:
        with pytest.raises(NothingToClaim):
            claim_unknown_card(session, "kimsr", "reader-a", timedelta(minutes=10))
    hold(user="leejy")
    assert taps.tap(stations["a"], "11223344").display_name == "이지영"


def test_an_old_unknown_tap_cannot_be_claimed(runtime, taps, stations):
    taps.tap(stations["a"], "11223344")
    with runtime.sessions.begin() as session:
        session.scalars(select(Tap)).one().at -= timedelta(minutes=11)
    with runtime.sessions.begin() as session:
        with pytest.raises(NothingToClaim):
            claim_unknown_card(session, "leejy", "reader-a", timedelta(minutes=10))


def test_cards_cannot_be_shared_and_removed_cards_release_nothing(runtime, taps, stations, hold):
    with runtime.sessions.begin() as session:
        with pytest.raises(CardInUse):
            add_card(session, KEY, "leejy", KIM_CARD)
    with runtime.sessions.begin() as session:
        remove_card(session, KEY, "kimsr", "E5F6")
        assert [c.last4 for c in list_cards(session, "kimsr")] == ["B2C3"]
    hold()
    assert taps.tap(stations["a"], KIM_CARD).outcome == TapOutcome.UNKNOWN_CARD


def test_disabled_users_release_nothing(runtime, taps, stations, server, hold):
    hold()
    with runtime.sessions.begin() as session:
        get_user(session, "kimsr").is_active = False
    assert taps.tap(stations["a"], KIM_CARD).outcome == TapOutcome.CARD_DISABLED
    assert server.remote == {}


def test_pins_per_user_and_per_station(runtime, taps, stations, hold):
    hold()
    assert taps.tap(stations["pin"], KIM_CARD).outcome == TapOutcome.PIN_REQUIRED
    with runtime.sessions.begin() as session:
        get_user(session, "kimsr").pin_hash = hash_pin("2468")
    assert taps.tap(stations["a"], KIM_CARD).outcome == TapOutcome.PIN_REQUIRED, "a user's PIN applies everywhere"
    assert taps.tap(stations["a"], KIM_CARD, "1111").outcome == TapOutcome.WRONG_PIN
    assert taps.tap(stations["a"], KIM_CARD, "2468").outcome == TapOutcome.RELEASED
    taps.tap(stations["a"], KIM_CARD, "0000")
    hold()
    assert taps.tap(stations["a"], KIM_CARD, "2468").outcome == TapOutcome.RATE_LIMITED, "locked after 2 wrong PINs"


def test_a_stopped_printer_is_reported_and_keeps_the_jobs(runtime, taps, stations, server, hold):
    job_id = hold()
    server.queue_infos["dept-a"] = QueueInfo("dept-a", state=PRINTER_STOPPED, state_message="용지 걸림")
    result = taps.tap(stations["a"], KIM_CARD)
    assert result.outcome == TapOutcome.PRINTER_UNAVAILABLE and "용지 걸림" in result.message
    with runtime.sessions() as session:
        assert session.get(Job, job_id).state == JobState.HELD


def test_one_user_tapping_at_two_stations_at_once_prints_each_job_once(taps, stations, server, hold):
    jobs = [hold() for _ in range(6)]
    barrier, results = threading.Barrier(2), []

    def tap(station):
        barrier.wait()
        results.append(taps.tap(station, KIM_CARD))

    threads = [threading.Thread(target=tap, args=(stations[s],)) for s in ("a", "b")]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert sum(r.jobs for r in results) == len(jobs) and len(server.remote) == len(jobs)


def test_each_stations_last_tap_shows_which_have_gone_quiet(runtime, taps, stations, hold):
    hold()
    taps.tap(stations["a"], "DEADBEEF")
    taps.tap(stations["a"], KIM_CARD)
    with runtime.sessions() as session:
        last = last_taps(session)
    assert set(last) == {stations["a"]} and last[stations["a"]].outcome == TapOutcome.RELEASED


def test_a_repeated_tap_gets_the_first_answer_and_releases_once(runtime, taps, stations, server, hold):
    hold(), hold()
    first = taps.tap(stations["a"], KIM_CARD, request_id="agent-tap-1")
    hold()  # a job arriving meanwhile must not be released by the repeated request
    again = taps.tap(stations["a"], KIM_CARD, request_id="agent-tap-1")
    assert (first.outcome, first.jobs) == (again.outcome, again.jobs) == (TapOutcome.RELEASED, 2)
    assert again.as_dict()["say"] == first.as_dict()["say"] and len(server.remote) == 2
    with runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Tap)) == 1


def test_a_repeated_request_waits_for_the_first_ones_answer(runtime, taps, stations, server, hold):
    hold()
    uploading, finish = threading.Event(), threading.Event()
    server.on_submit = lambda _job: (uploading.set(), finish.wait(30))
    answers = []
    first = threading.Thread(target=lambda: answers.append(taps.tap(stations["a"], KIM_CARD, request_id="x1")))
    first.start()
    assert uploading.wait(10)
    second = threading.Thread(target=lambda: answers.append(taps.tap(stations["a"], KIM_CARD, request_id="x1")))
    second.start()
    finish.set()
    first.join(10), second.join(10)
    assert [a.outcome for a in answers] == [TapOutcome.RELEASED] * 2 and len(server.remote) == 1


def test_a_printer_in_error_at_tap_time_says_why_in_both_languages(runtime, taps, stations, server, hold):
    from printrelease.printing import DeviceStatus

    job_id = hold()
    server.queue_infos["dept-a"] = QueueInfo("dept-a", device_uri="ipp://dept-a.example/ipp/print")
    server.devices["ipp://dept-a.example/ipp/print"] = DeviceStatus(reasons=("media-empty-report",))
    said = taps.tap(stations["a"], KIM_CARD).as_dict()
    assert said["outcome"] == "printer_unavailable" and said["jobs"] == 0
    assert said["say"] == {"ko": "지금은 프린터로 출력할 수 없습니다(용지 없음). 문서는 그대로 보류되어 있습니다.",
                           "en": "The printer cannot print now (out of paper); your documents are still held."}
    with runtime.sessions() as session:
        assert session.get(Job, job_id).state == JobState.HELD
