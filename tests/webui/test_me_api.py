"""A logged-in user's own API: claiming the unknown card they just tapped, as themselves only."""

import pytest

from printrelease.accounts.passwords import hash_password
from printrelease.accounts.service import add_user


def tap(client, token, card):
    return client.post("/api/v1/station/tap", json={"card": card}, headers={"Authorization": f"Bearer {token}"})


@pytest.fixture
def lee(runtime, station_token):
    with runtime.sessions.begin() as session:
        add_user(session, "leejy", "이지영").password_hash = hash_password("이지영의 비밀번호")


def log_in_as_lee(client):
    assert client.post("/api/v1/session", json={"login": "leejy", "password": "이지영의 비밀번호"}).status_code == 201


def test_claiming_needs_a_login_and_uses_it_not_the_request(client, station_token, lee):
    tap(client, station_token, "0A0B0C0D")
    assert client.post("/api/v1/me/cards/claim", json={"station": "reader-a"}).status_code == 401
    log_in_as_lee(client)
    answer = client.post("/api/v1/me/cards/claim", json={"station": "reader-a", "user": "kimsr"})
    assert answer.status_code == 201 and answer.json == {"last4": "0C0D", "user": "leejy"}
    assert tap(client, station_token, "0A0B0C0D").json["display_name"] == "이지영"
    assert client.get("/api/v1/me").json["cards"] == [{"last4": "0C0D", "label": "claimed at reader-a"}]
    again = client.post("/api/v1/me/cards/claim", json={"station": "reader-a"})
    assert again.status_code == 404 and "reader-a" in again.json["message"]


def test_the_user_picks_their_tap_when_several_cards_were_unknown(client, station_token, lee):
    tap(client, station_token, "0A0B0C0D")
    tap(client, station_token, "11223344")
    log_in_as_lee(client)
    taps = client.get("/api/v1/me/cards/claimable").json["taps"]
    assert [(t["station"], t["printer"], t["last4"]) for t in taps] == [("reader-a", "dept-a", "3344"),
                                                                        ("reader-a", "dept-a", "0C0D")]
    answer = client.post("/api/v1/me/cards/claim", json={"station": "reader-a", "tap": taps[1]["tap"]})
    assert answer.json["last4"] == "0C0D"
    assert [t["last4"] for t in client.get("/api/v1/me/cards/claimable").json["taps"]] == ["3344"]


def test_a_claim_by_form_post_is_refused(client, station_token, lee):
    tap(client, station_token, "0A0B0C0D")
    log_in_as_lee(client)
    assert client.post("/api/v1/me/cards/claim", data={"station": "reader-a"}).status_code == 403


@pytest.mark.parametrize("bad", ["7", True, 1.5])
def test_a_tap_number_must_be_a_number(client, station_token, lee, bad):
    log_in_as_lee(client)
    answer = client.post("/api/v1/me/cards/claim", json={"station": "reader-a", "tap": bad})
    assert answer.status_code == 400
