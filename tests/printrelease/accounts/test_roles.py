"""Roles (user, finance, admin) and each user's language: set, imported, listed, checked."""

import pytest

from printrelease.accounts.errors import BadUserRecord
from printrelease.accounts.roles import BadRole, has_role
from printrelease.accounts.service import add_user, get_user, import_users, set_language, set_role
from printrelease.errors import Invalid


def test_a_new_user_is_a_user_and_roles_include_the_ones_below(session):
    user = add_user(session, "kimsr", "김성렬")
    assert user.role == "user" and user.language is None
    assert (has_role(user, "user"), has_role(user, "finance"), has_role(user, "admin")) == (True, False, False)
    set_role(session, "kimsr", "finance")
    assert (has_role(user, "finance"), has_role(user, "admin")) == (True, False)
    set_role(session, "kimsr", "admin")
    assert has_role(user, "finance") and has_role(user, "admin")
    user.is_active = False
    assert not has_role(user, "user"), "a disabled account may do nothing"
    assert not has_role(None, "user")
    with pytest.raises(BadRole):
        set_role(session, "kimsr", "root")
    with pytest.raises(BadRole):
        has_role(user, "superuser")


def test_the_language_is_remembered_or_forgotten(session):
    user = add_user(session, "kimsr", "김성렬")
    assert set_language(session, user, "en").language == "en"
    assert set_language(session, user, None).language is None
    with pytest.raises(Invalid):
        set_language(session, user, "fr")


def test_roles_come_in_with_an_import(session):
    result = import_users(session, "login,display_name,role\nkimsr,김성렬,admin\nleejy,이지영,\nparkmh,박민호,Finance\n")
    assert result.created == 3
    assert [get_user(session, login).role for login in ("kimsr", "leejy", "parkmh")] == ["admin", "user", "finance"]
    import_users(session, "login,display_name\nkimsr,김성렬\n")
    assert get_user(session, "kimsr").role == "admin", "an import without the column changes no role"
    with pytest.raises(BadUserRecord, match="line 2"):
        import_users(session, "login,role\nchoi,boss\n")


def test_set_role_and_list_at_the_command_line(runner):
    runner.invoke("users", "add", "kimsr", "--name", "김성렬")
    assert runner.invoke("users", "set-role", "kimsr", "finance").output == "kimsr is now finance\n"
    assert "kimsr\t김성렬\t-\tfinance\tactive" in runner.invoke("users", "list").output
    assert runner.invoke("users", "set-role", "kimsr", "boss").exit_code == 2
