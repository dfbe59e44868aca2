"""A user import's refusal names its line and says what is wrong in the reader's language; CSV files are
read as UTF-8 (with or without BOM) or CP949, and say which."""

import pytest

from printrelease.accounts.errors import BadUserRecord
from printrelease.accounts.service import find_user, import_users
from printrelease.csvinput import UnreadableCsv, decode_csv_as

CSV = "login,display_name,department,department_name,role\nkimsr,김성렬,D100,기획예산과,admin\nleejy,이지영,D100,,boss\n"


def test_a_bad_row_refuses_the_whole_file_with_its_line_in_either_language(session):
    with pytest.raises(BadUserRecord) as refused:
        import_users(session, CSV)
    assert refused.value.words("en") == "line 3: 'boss' is not a role (user, finance, admin)"
    assert refused.value.words("ko") == "3번째 줄: 'boss'은(는) 역할이 아닙니다 (user, finance, admin)"
    session.rollback()
    assert find_user(session, "kimsr") is None


def test_the_encoding_is_detected_and_named():
    text = "login,display_name\nkimsr,김성렬\n"
    assert decode_csv_as(("\ufeff" + text).encode("utf-8")) == (text, "utf-8-sig"), "the BOM goes"
    assert decode_csv_as(text.encode("cp949")) == (text, "cp949")
    assert decode_csv_as(text.encode("cp949"), "euc-kr")[1] == "euc_kr"
    with pytest.raises(UnreadableCsv) as refused:
        decode_csv_as(text.encode("cp949"), "utf-8")
    assert refused.value.params["line"] == 2
