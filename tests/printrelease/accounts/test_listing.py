"""Users as administrators look for them: search over names and departments, filters, pages, last logins;
and a user's department."""

from datetime import timedelta

import pytest

from printrelease.accounts.errors import BadUserRecord
from printrelease.accounts.listing import find_users, last_logins
from printrelease.accounts.models import LoginAttempt
from printrelease.accounts.service import add_user, get_user, list_departments, set_active, set_department, set_role
from printrelease.db import utcnow


@pytest.fixture
def staff(session):
    add_user(session, "kimsr", "김성렬", "kimsr@example.go.kr", "D100", "기획예산과")
    add_user(session, "leejy", "이지영", None, "D200", "민원봉사과")
    add_user(session, "park_mj", "박민정", None, "D100")
    add_user(session, "parkxmj", "박명준")
    set_role(session, "leejy", "finance")
    set_active(session, "parkxmj", False)
    session.flush()
    return session


def logins(page) -> list[str]:
    return [row.user.login for row in page.items]


def test_words_are_found_in_names_logins_emails_and_departments(staff):
    assert logins(find_users(staff, "김성")) == ["kimsr"]
    assert logins(find_users(staff, "EXAMPLE.GO")) == ["kimsr"], "case does not matter"
    assert logins(find_users(staff, "기획예산")) == ["kimsr", "park_mj"]
    assert logins(find_users(staff, "d200")) == ["leejy"]
    assert logins(find_users(staff, "박 D100")) == ["park_mj"], "every word must be found"
    assert logins(find_users(staff, "")) == ["kimsr", "leejy", "park_mj", "parkxmj"]


def test_like_wildcards_typed_are_plain_characters(staff):
    assert logins(find_users(staff, "park_")) == ["park_mj"], "_ is not any character"
    assert logins(find_users(staff, "%")) == []


def test_filters_by_role_and_account_state(staff):
    assert logins(find_users(staff, role="finance")) == ["leejy"]
    assert logins(find_users(staff, active=False)) == ["parkxmj"]
    assert logins(find_users(staff, "박", active=True)) == ["park_mj"]


def test_pages_are_bounded_and_counted(staff):
    first, second = find_users(staff, per_page=3), find_users(staff, page=2, per_page=3)
    assert (logins(first), logins(second), first.total, first.pages) == (
        ["kimsr", "leejy", "park_mj"], ["parkxmj"], 4, 2)
    assert find_users(staff, per_page=10**9).per_page == 200
    assert find_users(staff, page=-5).page == 1


def test_last_login_is_the_latest_successful_one(staff):
    now = utcnow()
    staff.add_all([LoginAttempt(login="kimsr", remote_address="10.0.0.1", succeeded=True, at=now - timedelta(days=2)),
                   LoginAttempt(login="kimsr", remote_address="10.0.0.1", succeeded=True, at=now - timedelta(hours=1)),
                   LoginAttempt(login="kimsr", remote_address="10.0.0.9", succeeded=False, at=now),
                   LoginAttempt(login="leejy", remote_address="10.0.0.2", succeeded=False, at=now)])
    staff.flush()
    rows = {row.user.login: row.last_login for row in find_users(staff).items}
    assert abs(rows["kimsr"] - (now - timedelta(hours=1))) < timedelta(seconds=1)
    assert rows["leejy"] is None and rows["parkxmj"] is None
    assert last_logins(staff, []) == {}


def test_a_department_is_set_made_with_its_name_or_cleared(staff):
    assert set_department(staff, "parkxmj", "D200").department.name == "민원봉사과"
    assert set_department(staff, "parkxmj", " D300 ", "정보통신과").department.code == "D300"
    assert [d.code for d in list_departments(staff)] == ["D100", "D200", "D300"]
    with pytest.raises(BadUserRecord) as refused:
        set_department(staff, "parkxmj", "D999")
    assert "D999" in refused.value.words("ko") and "부서 이름" in refused.value.words("ko")
    with pytest.raises(BadUserRecord):
        set_department(staff, "parkxmj", "D\x00")
    assert get_user(staff, "parkxmj").department.code == "D300"
    assert set_department(staff, "parkxmj", "").department is None
