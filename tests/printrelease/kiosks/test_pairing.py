"""Pairing a kiosk with a station: a one-time code, hashed, valid for minutes, used once even by two kiosks
at once; a long-lived credential bound to the station, hashed, listed and revocable."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from printrelease.audit.models import AuditEntry
from printrelease.credentials.models import ApiToken
from printrelease.credentials.service import BadCredentials, authenticate
from printrelease.kiosks.errors import BadPairingCode, PairingThrottled, UnknownKiosk
from printrelease.kiosks.models import Kiosk, KioskPairing
from printrelease.kiosks.service import (KIOSK, PairingPolicy, create_pairing_code, kiosk_for_token, list_kiosks,
                                         mark_kiosk_seen, pair_kiosk, unpair)
from printrelease.db import utcnow
from printrelease.stations.errors import UnknownStation
from printrelease.stations.service import STATION, remove_station


def make_code(runtime, station="reader-a"):
    with runtime.sessions.begin() as session:
        return create_pairing_code(session, station, "admin")[1]


def pair(runtime, code, label="3층 복합기 옆"):
    with runtime.sessions.begin() as session:
        kiosk, token = pair_kiosk(session, code, label, "10.0.0.9")
        return kiosk.id, token


def kiosk_of(runtime, token):
    with runtime.sessions() as session:
        return kiosk_for_token(session, token).station.name


def test_a_code_pairs_one_kiosk_with_its_station_and_only_hashes_are_kept(runtime, station_token):
    code = make_code(runtime)
    assert len(code) == 9 and code[4] == "-"
    kiosk_id, token = pair(runtime, code.lower().replace("-", " "))
    assert kiosk_of(runtime, token) == "reader-a"
    with runtime.sessions() as session:
        stored = " ".join(str(v) for row in session.scalars(select(KioskPairing)) for v in vars(row).values())
        stored += " ".join(str(v) for row in session.scalars(select(ApiToken)) for v in vars(row).values())
        assert code.replace("-", "") not in stored and token not in stored
        # The kiosk's credential is not the station's: it cannot act as the station's reader.
        with pytest.raises(BadCredentials):
            authenticate(session, STATION, token)


def test_a_code_works_once(runtime, station_token):
    code = make_code(runtime)
    pair(runtime, code)
    with pytest.raises(BadPairingCode):
        pair(runtime, code)


def test_an_expired_code_and_a_wrong_one_read_the_same(runtime, station_token):
    code = make_code(runtime)
    with runtime.sessions.begin() as session:
        session.execute(update(KioskPairing).values(expires_at=utcnow() - timedelta(seconds=1)))
    messages = set()
    for attempt in (code, "ABCD-EFGH", "", "' OR 1=1 --"):
        with pytest.raises(BadPairingCode) as raised:
            pair(runtime, attempt)
        messages.add(raised.value.words("en"))
    assert len(messages) == 1


def test_two_kiosks_racing_with_one_code_get_one_credential(runtime, station_token):
    for _ in range(3):
        code = make_code(runtime)
        barrier, results = threading.Barrier(2), []

        def use():
            barrier.wait()
            try:
                results.append(pair(runtime, code)[1])
            except BadPairingCode:
                results.append(None)

        threads = [threading.Thread(target=use) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert sorted(results, key=bool) == [None, results[0] or results[1]]


def test_kiosks_are_listed_and_unpaired(runtime, station_token):
    first, first_token = pair(runtime, make_code(runtime))
    second, second_token = pair(runtime, make_code(runtime))
    with runtime.sessions.begin() as session:
        assert [k.id for k in list_kiosks(session, "reader-a")] == [first, second]
        assert [k.id for k in unpair(session, "reader-a", first)] == [first]
        with pytest.raises(UnknownKiosk):
            unpair(session, "reader-a", 12345)
    with pytest.raises(BadCredentials):
        kiosk_of(runtime, first_token)
    assert kiosk_of(runtime, second_token) == "reader-a"
    with runtime.sessions.begin() as session:
        assert [k.id for k in list_kiosks(session)] == [second]
        assert [k.id for k in list_kiosks(session, revoked=True)] == [first, second]
        unpair(session, "reader-a")
    with pytest.raises(BadCredentials):
        kiosk_of(runtime, second_token)


def test_a_removed_station_takes_its_kiosks_and_codes_with_it(runtime, station_token):
    kiosk_id, token = pair(runtime, make_code(runtime))
    code = make_code(runtime)
    with runtime.sessions.begin() as session:
        remove_station(session, "reader-a")  # without unpairing first: the database removes the kiosks
    with pytest.raises(BadCredentials):
        kiosk_of(runtime, token)
    with pytest.raises(BadPairingCode):
        pair(runtime, code)
    with runtime.sessions() as session:
        assert session.get(Kiosk, kiosk_id) is None
    with pytest.raises(UnknownStation):
        make_code(runtime, "reader-a")


def test_only_kiosk_tokens_name_a_kiosk(runtime, station_token):
    with pytest.raises(BadCredentials):
        kiosk_of(runtime, station_token)
    with runtime.sessions() as session:
        assert session.scalar(select(ApiToken.kind).where(ApiToken.kind == KIOSK)) is None


def attempt(runtime, code, address, policy):
    """One pairing attempt, committed whatever its outcome (as the kiosk page does)."""
    with runtime.sessions() as session:
        try:
            return pair_kiosk(session, code, "", address, policy)[1]
        finally:
            session.commit()


def test_pairings_and_refused_codes_are_audited_with_their_address(runtime, station_token):
    kiosk_id, _ = pair(runtime, make_code(runtime))
    with pytest.raises(BadPairingCode):
        pair(runtime, "ABCD-EFGH")  # pair() rolls back on the error: nothing is kept
    with pytest.raises(BadPairingCode):
        attempt(runtime, "ABCD-EFGH", "10.0.0.7", PairingPolicy())
    with runtime.sessions() as session:
        entries = [(e.actor, e.action, e.target, e.detail, e.address) for e in session.scalars(
            select(AuditEntry).order_by(AuditEntry.id))]
    assert entries == [("kiosk:reader-a", "kiosks.pair", "reader-a", f"kiosk {kiosk_id} (3층 복합기 옆)", "10.0.0.9"),
                       ("kiosk", "kiosks.pair_refused", "", "wrong, used or expired pairing code", "10.0.0.7")]


def test_wrong_codes_are_throttled_per_address_and_site_wide_before_the_code_is_tried(runtime, station_token):
    policy = PairingPolicy(per_address=3, site_wide=5)
    for _ in range(3):
        with pytest.raises(BadPairingCode):
            attempt(runtime, "ABCD-EFGH", "10.0.0.7", policy)
    good = make_code(runtime)
    with pytest.raises(PairingThrottled) as throttled:
        attempt(runtime, good, "10.0.0.7", policy)  # even the right code: it is not looked at
    assert throttled.value.params["minutes"] == 15 and "15" in throttled.value.words("ko")
    assert attempt(runtime, good, "10.0.0.8", policy), "another address is not held back by the guesser"
    for _ in range(2):
        with pytest.raises(BadPairingCode):
            attempt(runtime, "ABCD-EFGH", "10.0.0.8", policy)
    with pytest.raises(PairingThrottled):
        attempt(runtime, make_code(runtime), "10.0.0.9", policy)  # five wrong codes in all: everyone waits
    with runtime.sessions.begin() as session:
        session.execute(update(AuditEntry).values(at=utcnow() - timedelta(minutes=16)))
    assert attempt(runtime, make_code(runtime), "10.0.0.7", policy), "the window has passed"
    with runtime.sessions() as session:
        refused = session.scalar(select(func.count()).select_from(AuditEntry)
                                 .where(AuditEntry.action == "kiosks.pair_refused"))
    assert refused == 5, "a throttled attempt tried no code and is not counted"


def test_a_kiosk_is_marked_seen_at_most_once_a_minute_without_a_statement_between(runtime, station_token):
    from sqlalchemy import event

    kiosk_id, token = pair(runtime, make_code(runtime))
    seen = []
    event.listen(runtime.engine, "before_cursor_execute", lambda *args: seen.append(args[2]))
    with runtime.sessions.begin() as session:
        kiosk = kiosk_for_token(session, token)
        seen.clear()
        assert mark_kiosk_seen(session, kiosk.id, kiosk.last_seen_at) and len(seen) == 1
    with runtime.sessions.begin() as session:
        kiosk = kiosk_for_token(session, token)
        seen.clear()
        assert kiosk.last_seen_at is not None
        assert not mark_kiosk_seen(session, kiosk.id, kiosk.last_seen_at) and seen == []
