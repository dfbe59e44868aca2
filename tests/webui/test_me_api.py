"""A logged-in user's own API: claiming the unknown card they just tapped, with the code only the person at
the reader saw, as themselves only, never seeing anyone else's taps or logins."""

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


def claim(client, code, station="reader-a", **extra):
    return client.post("/api/v1/me/cards/claim", json={"station": station, "code": code, **extra})


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_the_tap_answer_carries_a_code_that_only_the_reader_shows(client, runtime, station_token):
    from sqlalchemy import select

    from printrelease.stations.models import Tap

    answer = tap(client, station_token, "0A0B0C0D").json
    assert answer["outcome"] == "unknown_card" and len(answer["claim_code"]) == 6 and answer["station"] == "reader-a"
    assert answer["claim_code"] in answer["say"]["ko"] and "reader-a" in answer["say"]["en"]
    with runtime.sessions() as session:
        (row,) = session.scalars(select(Tap))
        assert row.claim_code_hash and answer["claim_code"] not in row.claim_code_hash + row.detail
    assert tap(client, station_token, "04A1B2C3").json["claim_code"] == "", "known cards get no code"


def test_claiming_needs_a_login_and_the_code_and_uses_the_login_not_the_request(client, station_token, lee):
    code = tap(client, station_token, "0A0B0C0D").json["claim_code"]
    assert claim(client, code).status_code == 401
    log_in_as_lee(client)
    assert claim(client, None).status_code == 400, "a claim without the code is refused"
    answer = claim(client, code, user="kimsr")
    assert answer.status_code == 201 and answer.json == {"last4": "0C0D", "user": "leejy"}
    assert tap(client, station_token, "0A0B0C0D").json["display_name"] == "이지영"
    assert client.get("/api/v1/me").json["cards"] == [{"last4": "0C0D", "label": "claimed at reader-a"}]
    again = claim(client, code)
    assert again.status_code == 400 and "reader-a" in again.json["message"], "a code works once"


def test_a_colleague_without_the_code_cannot_claim_someone_elses_card(app, client, station_token, lee):
    code = tap(client, station_token, "0A0B0C0D").json["claim_code"]
    log_in_as_lee(client)
    assert client.get("/api/v1/me/cards/claimable").status_code == 404, "nobody lists other people's taps"
    for _ in range(3):
        answer = claim(client, wrong(code))
        assert answer.status_code == 400 and answer.json["error"] == "wrong_claim_code"
    assert claim(client, code).status_code == 400, "after three wrong codes the tap is no longer claimable"
    fresh = tap(client, station_token, "0A0B0C0D").json["claim_code"]
    assert claim(client, fresh).status_code == 201, "the owner taps again for a new code"


def test_each_tap_has_its_own_code(client, station_token, lee):
    first = tap(client, station_token, "0A0B0C0D").json["claim_code"]
    second = tap(client, station_token, "11223344").json["claim_code"]
    log_in_as_lee(client)
    assert claim(client, first).json["last4"] == "0C0D"
    assert claim(client, second).json["last4"] == "3344"


def test_a_refusal_never_names_the_owner_of_a_card(client, runtime, station_token, lee):
    from printrelease.cards.service import add_card

    code = tap(client, station_token, "0A0B0C0D").json["claim_code"]
    with runtime.sessions.begin() as session:
        add_card(session, runtime.card_key, "kimsr", "0A0B0C0D")  # registered meanwhile by an admin
    log_in_as_lee(client)
    answer = claim(client, code)
    assert answer.status_code == 400 and answer.json["error"] == "card_in_use"
    assert "kimsr" not in answer.text and "김성렬" not in answer.text


def test_a_claim_by_form_post_is_refused(client, station_token, lee):
    code = tap(client, station_token, "0A0B0C0D").json["claim_code"]
    log_in_as_lee(client)
    assert client.post("/api/v1/me/cards/claim", data={"station": "reader-a", "code": code}).status_code == 403


@pytest.mark.parametrize("body", [{"station": "reader-a", "code": 123456}, {"station": "reader-a", "code": "1" * 40},
                                  {"station": 7, "code": "123456"}, ["reader-a", "123456"],
                                  {"station": "reader-a\u0000", "code": "123456"},
                                  {"station": "reader-a", "code": "123456", "tap": 10**400}])
def test_nonsense_is_a_400_not_a_500(client, station_token, lee, body):
    log_in_as_lee(client)
    answer = client.post("/api/v1/me/cards/claim", json=body)
    assert answer.status_code == 400, answer.text


def test_a_refusal_says_nothing_of_whether_anyone_tapped_there(client, station_token, lee):
    log_in_as_lee(client)
    nobody = claim(client, "123456")
    code = tap(client, station_token, "0A0B0C0D").json["claim_code"]
    someone = claim(client, wrong(code))
    assert (nobody.status_code, nobody.json) == (someone.status_code, someone.json)
