"""The cards page: a user's cards by their last four digits, a card given by its number (never in a URL,
the trail or the form sent back), someone else's card refused naming its owner, removal; audited."""

from __future__ import annotations

from printrelease.cards.service import add_card, list_cards
from tests.webui import admin_helpers
from tests.webui.admin_helpers import ADDRESS, entries, flashed, post, text

admin = admin_helpers.admin  # the fixture: the admin's client
database_url = admin_helpers.sqlite_only  # the fixture: this page works alike on SQLite and PostgreSQL

NUMBER = "04A1B2C3D4E5F6"


def test_a_card_is_given_by_its_number_and_shown_by_its_last_four_digits(admin, runtime):
    answer = post(admin, "/admin/cards/add", {"login": "kimsr", "number": NUMBER, "label": "예비 카드"})
    assert answer.status_code == 303 and answer.headers["Location"] == "/admin/cards?login=kimsr"
    page = flashed(admin, answer.headers["Location"])
    assert "카드 …E5F6을(를) kimsr에게 등록했습니다" in page and "끝자리 E5F6 카드" in page and "예비 카드" in page
    assert NUMBER not in page
    (entry,) = entries(runtime, "cards.add")
    assert (entry.actor, entry.target, entry.detail, entry.address) == ("choihs", "kimsr", "…E5F6 (예비 카드)", ADDRESS)
    with runtime.sessions() as session:
        assert [card.last4 for card in list_cards(session, "kimsr")] == ["E5F6"]
    decimal = post(admin, "/admin/cards/add", {"login": "kimsr", "number": "dec:77705923"})
    assert "카드 …B2C3을(를)" in flashed(admin, decimal.headers["Location"])


def test_someone_elses_card_is_refused_naming_its_owner_and_the_number_is_not_sent_back(admin, runtime):
    with runtime.sessions.begin() as session:
        add_card(session, runtime.card_key, "leejy", NUMBER)
    answer = post(admin, "/admin/cards/add", {"login": "kimsr", "number": NUMBER})
    assert answer.status_code == 409 and "카드 …E5F6은(는) 이미 leejy의 카드입니다" in text(answer)
    assert NUMBER not in text(answer)
    bad = post(admin, "/admin/cards/add", {"login": "kimsr", "number": "12345"})
    assert bad.status_code == 400 and "카드" in text(bad)
    assert post(admin, "/admin/cards/add", {"login": "kimsr"}).status_code == 400
    assert entries(runtime) == []


def test_a_card_is_removed_only_as_the_card_of_its_owner(admin, runtime):
    with runtime.sessions.begin() as session:
        card = add_card(session, runtime.card_key, "kimsr", NUMBER).id
    assert admin.post("/admin/cards/remove", data={"login": "leejy", "card": str(card)}).status_code == 400, \
        "no CSRF token"
    assert post(admin, "/admin/cards/remove", {"login": "leejy", "card": str(card)}).status_code == 404
    answer = post(admin, "/admin/cards/remove", {"login": "kimsr", "card": str(card)})
    assert "kimsr의 카드 …E5F6을(를) 삭제했습니다" in flashed(admin, answer.headers["Location"])
    with runtime.sessions() as session:
        assert list_cards(session, "kimsr") == []
    assert [(e.action, e.detail) for e in entries(runtime)] == [("cards.remove", "…E5F6")]


def test_an_unknown_login_says_so(admin):
    answer = admin.get("/admin/cards?login=nobody")
    assert answer.status_code == 404 and "알 수 없는 사용자 'nobody'" in text(answer)
    assert admin.get("/admin/cards").status_code == 200
