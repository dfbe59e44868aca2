"""The station API: bearer tokens per station and the answers to taps."""


from printrelease.credentials.service import CAPTURE, issue_token


def tap(client, token, card, **extra):
    return client.post("/api/v1/station/tap", json={"card": card, **extra},
                       headers={"Authorization": f"Bearer {token}"})


def test_a_known_card_with_nothing_held(client, station_token):
    answer = tap(client, station_token, "04a1b2c3")
    assert answer.status_code == 200
    assert answer.json["outcome"] == "nothing_to_print" and answer.json["display_name"] == "김성렬"


def test_an_unknown_card(client, station_token):
    assert tap(client, station_token, "DEADBEEF").json["outcome"] == "unknown_card"


def test_taps_need_a_station_token(client, runtime, station_token):
    with runtime.sessions.begin() as session:
        capture_token = issue_token(session, CAPTURE, "secure-print")[1]
    for token in ("nonsense", capture_token):
        assert tap(client, token, "04A1B2C3").status_code == 401
    assert client.post("/api/v1/station/tap", json={"card": "04A1B2C3"}).status_code == 401


def test_a_tap_without_a_card_is_a_clear_400(client, station_token):
    answer = client.post("/api/v1/station/tap", data="card=04A1", headers={"Authorization": f"Bearer {station_token}"})
    assert answer.status_code == 400 and "card" in answer.json["message"]


def test_a_tap_id_reused_for_another_card_is_refused_in_both_languages(client, station_token):
    assert tap(client, station_token, "04a1b2c3", id="agent-tap-7").json["outcome"] == "nothing_to_print"
    assert tap(client, station_token, "04A1B2C3", id="agent-tap-7").status_code == 200  # the same tap again
    other = tap(client, station_token, "DEADBEEF", id="agent-tap-7")
    assert other.status_code == 400 and other.json["error"] == "tap_id_reused"
    assert "김성렬" not in other.get_data(as_text=True), "another card never gets the first card's answer"
    korean = client.post("/api/v1/station/tap", json={"card": "DEADBEEF", "id": "agent-tap-7"},
                         headers={"Authorization": f"Bearer {station_token}", "Accept-Language": "ko"})
    assert korean.status_code == 400 and "다른 카드" in korean.json["message"]
