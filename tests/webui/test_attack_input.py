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


def test_a_first_page_built_to_be_slow_costs_its_time_limit_once(client_as, runtime, monkeypatch):
    """A 300 KB page of three million filled paths keeps pdftoppm busy past any limit; every page that
    shows the job asked for its picture again, a request thread and the time limit each time."""
    import subprocess
    import zlib

    from printrelease.jobs import thumbnails
    from tests.corpus.make import assemble, stream
    from tests.webui.conftest import hold

    paths = b"0 0 m 595 842 l 0 842 l 595 0 l h f\n" * 3_000_000
    slow = assemble({1: b"<< /Type /Catalog /Pages 2 0 R >>", 2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                     3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
                     4: stream(b"/Filter /FlateDecode", zlib.compress(paths, 9))}, b"<< /Size 5 /Root 1 0 R >>")
    job_id = hold(runtime, "kimsr", "slow.pdf", slow)
    runs = []
    real_run = subprocess.run

    def counted(command, *args, **kwargs):  # the limit is 20 s: 1 s is as good a test of it
        runs.append(command)
        return real_run(command, *args, **{**kwargs, "timeout": 1})

    monkeypatch.setattr(thumbnails.subprocess, "run", counted)
    user = client_as("user")
    assert [user.get(f"/jobs/{job_id}/thumbnail").status_code for _ in range(3)] == [404, 404, 404]
    assert len(runs) == 1, "drawn once, remembered as not drawable"


def test_a_flood_of_anonymous_health_requests_measures_once(client, monkeypatch):
    """Each measurement writes a probe file in the spool and a transaction in the database and asks CUPS:
    anyone who can reach the server could make it do that as fast as they can send."""
    from webui.api import health

    measured = []
    real = health.run_checks
    monkeypatch.setattr(health, "run_checks", lambda *args: measured.append(1) or real(*args))
    answers = [client.get("/api/v1/health") for _ in range(20)]
    assert {a.status_code for a in answers} == {200} and len(measured) == 1


@pytest.mark.parametrize("number", [PAST_INTEGER, "9999999999", PAST_BIGINT])
@pytest.mark.parametrize("path", ["/jobs/release", "/jobs/delete"])
def test_a_job_id_past_the_databases_range_in_a_form_is_no_such_job(client_as, path, number):
    user = client_as("user")
    answer = user.post(path, data={"job": number, "printer": "dept-a", "confirm": "1",
                                   "csrf_token": form_token(user, "/cards")})
    assert answer.status_code == 404, answer.text


@pytest.mark.parametrize("number", [PAST_INTEGER, PAST_BIGINT])
def test_admin_ids_past_the_databases_range_are_no_such_row_or_a_form_error(client_as, number):
    admin = client_as("admin")

    def post(path, **data):
        return admin.post(path, data={**data, "csrf_token": form_token(admin, "/admin")})

    assert admin.get(f"/admin/usage/record?id={number}").status_code == 404
    assert admin.get(f"/admin/usage?job={number}").status_code == 400
    assert post("/admin/usage/correct", record=number, refund="y", reason="x").status_code == 404
    assert post("/admin/cards/remove", login="kimsr", card=number).status_code == 303  # refused, with why
    assert post("/admin/stations/unpair", name="reader-a", kiosk=number).status_code == 303
