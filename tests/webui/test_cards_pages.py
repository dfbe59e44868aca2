"""My cards: the list by last four digits, claiming a tapped card with the station's one-time code,
removing one; wrong codes are counted and say nothing of anyone else."""

from __future__ import annotations

import pytest

from printrelease.cards.service import add_card, list_cards
from tests.webui.conftest import form_token


@pytest.fixture
def station(runtime, people):
    """Station reader-a beside dept-a (3층 기획예산과); kimsr already has card …B2C3."""
    from printrelease.printers.models import Printer
    from printrelease.stations.service import add_station

    with runtime.sessions.begin() as session:
        session.add(Printer(name="dept-a", cups_server="127.0.0.1:1", cups_queue="dept-a", location="3층 기획예산과"))
        session.flush()
        add_card(session, runtime.card_key, "kimsr", "04A1B2C3")
        return add_station(session, "reader-a", "dept-a")[1]


def tap(app, token, card="0A0B0C0D") -> str:
    answer = app.test_client().post("/api/v1/station/tap", json={"card": card},
                                    headers={"Authorization": f"Bearer {token}"})
    assert answer.json["outcome"] == "unknown_card"
    return answer.json["claim_code"]


def claim(client, code, station="reader-a"):
    return client.post("/cards/claim", data={"station": station, "code": code, "csrf_token": form_token(client)})


def test_cards_are_shown_by_their_last_four_digits(client_as, station):
    html = client_as("user").get("/cards").get_data(as_text=True)
    assert "B2C3" in html and "04A1B2C3" not in html and "reader-a · 3층 기획예산과" in html
    assert "B2C3" not in client_as("other").get("/cards").get_data(as_text=True)


def test_claiming_a_tapped_card_with_its_code(app, client_as, runtime, station):
    code = tap(app, station)
    client = client_as("other")
    answer = claim(client, code)
    assert answer.status_code == 303
    assert "0C0D" in client.get("/cards").get_data(as_text=True)
    with runtime.sessions() as session:
        assert [c.last4 for c in list_cards(session, "leejy")] == ["0C0D"]


def test_a_wrong_code_is_refused_counted_and_discloses_nobody(app, client_as, runtime, station):
    code = tap(app, station)
    client = client_as("other")
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(3):
        answer = claim(client, wrong)
        assert answer.status_code == 400 and "코드" in answer.get_data(as_text=True)
    assert claim(client, code).status_code == 400, "three wrong codes: the tap must be made again"
    with runtime.sessions() as session:
        assert list_cards(session, "leejy") == []


@pytest.mark.parametrize("code, where", [("", "reader-a"), ("12ab56", "reader-a"), ("123456", "nowhere"),
                                         ("1" * 40, "reader-a")])
def test_a_claim_form_that_cannot_be_right_is_400(client_as, station, code, where):
    assert claim(client_as("user"), code, where).status_code == 400


def test_removing_ones_own_card(client_as, runtime, station):
    with runtime.sessions() as session:
        (card,) = list_cards(session, "kimsr")
    client = client_as("user")
    answer = client.post(f"/cards/{card.id}/remove", data={"csrf_token": form_token(client)})
    assert answer.status_code == 303
    with runtime.sessions() as session:
        assert list_cards(session, "kimsr") == []
