"""Attacked from the browser's side: numbers and text in URLs and forms that no database can take (ids past
its integer range, NUL characters) are a 404 or a 400, never a 500, on SQLite and PostgreSQL alike; and a
known failure (the database away) is one log line, not a traceback."""

import logging

import pytest
from sqlalchemy.exc import OperationalError

from tests.webui.conftest import form_token

PAST_BIGINT = "9" * 30
PAST_INTEGER = str(2**31)  # PostgreSQL's integer ends at 2**31 - 1


@pytest.mark.parametrize("path", [f"/jobs/{PAST_BIGINT}", f"/jobs/{PAST_BIGINT}/thumbnail", f"/jobs/{PAST_INTEGER}",
                                  f"/jobs/{PAST_INTEGER}/thumbnail"])
def test_an_id_past_the_databases_range_is_no_such_page(client_as, path):
    assert client_as("user").get(path).status_code == 404


@pytest.mark.parametrize("path", [f"/cards/{PAST_BIGINT}/remove", f"/cards/{PAST_INTEGER}/remove",
                                  f"/jobs/{PAST_BIGINT}"])
def test_a_form_posted_to_an_id_past_the_databases_range_is_no_such_page(client_as, path):
    user = client_as("user")
    assert user.post(path, data={"csrf_token": form_token(user, "/cards")}).status_code == 404


@pytest.mark.parametrize("data", [{"all": "1", "printer": "dept\x00a"}, {"job": "1", "printer": "\x00"},
                                  {"station": "reader\x00", "code": "123456"}, {"language": "ko\x00"}])
@pytest.mark.parametrize("path", ["/jobs/release", "/cards/claim", "/language"])
def test_nul_in_a_form_is_a_bad_request(client_as, path, data):
    user = client_as("user")
    answer = user.post(path, data={**data, "csrf_token": form_token(user, "/cards")})
    assert answer.status_code == 400, answer.text


@pytest.mark.parametrize("path", ["/jobs?printer=dept%00a", "/jobs/printers?printer=%00", "/history?since=%00",
                                  "/login?next=/jobs%00"])
def test_nul_in_a_query_is_a_bad_request(client_as, path):
    assert client_as("user").get(path).status_code == 400


def test_the_database_away_is_one_line_in_the_log_without_a_traceback(client_as, monkeypatch, caplog):
    from printrelease.accounts import sessions

    def away(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("connection to server at 127.0.0.1 refused"))

    user = client_as("user")
    monkeypatch.setattr(sessions, "session_user", away)
    with caplog.at_level(logging.ERROR, logger="printrelease.server"):
        answer = user.get("/jobs")
    assert answer.status_code == 503
    (line,) = [r for r in caplog.records if r.name == "printrelease.server"]
    assert "PRINTRELEASE_DATABASE_URL" in line.getMessage() and line.exc_info is None
