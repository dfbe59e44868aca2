"""Hostile input at the HTTP edge: poison documents, failures that repeat, odd headers and JSON; each is a
clear 4xx (or a counted 5xx) and never an unexplained 500."""

from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy.exc import OperationalError

from printrelease.jobs.models import JobState
from printrelease.jobs.service import list_jobs
from tests.webui.test_capture_api import headers

CORPUS = Path(__file__).resolve().parents[1] / "corpus"


def capture(client, token, body, **extra):
    return client.post("/api/v1/capture", data=body, headers={**headers(token), **extra})


@pytest.mark.parametrize("document", sorted(CORPUS.glob("*.pdf")) + sorted(CORPUS.glob("*.ps")),
                         ids=lambda p: p.name)
def test_a_poison_document_is_held_or_refused_with_its_reason(client, runtime, token, document):
    kind = "application/pdf" if document.suffix == ".pdf" else "application/postscript"
    answer = capture(client, token, document.read_bytes(), **{"Content-Type": kind})
    assert answer.status_code in (201, 422), answer.text
    with runtime.sessions() as session:
        (job,) = list_jobs(session, states=list(JobState))
    assert job.state == (JobState.HELD if answer.status_code == 201 else JobState.REJECTED)
    assert list(runtime.spool.tmp.iterdir()) == [], "no temporary file is left behind"


def test_a_job_that_keeps_failing_is_retried_then_refused_with_a_reason(client, runtime, token, pdf, monkeypatch):
    import webui.api.capture

    def broken(*args, **kwargs):
        raise RuntimeError("something no one foresaw")

    monkeypatch.setattr(webui.api.capture, "capture_job", broken)
    plain = {"Accept": "text/plain"}
    first, second = capture(client, token, pdf, **plain), capture(client, token, pdf, **plain)
    assert (first.status_code, second.status_code) == (500, 500)
    assert "attempt 2 of 3" in second.text and "CUPS will try again" in second.text
    other = capture(client, token, pdf, **plain, **{"X-Job-Options": "job-uuid=urn:uuid:2"})
    assert other.status_code == 500 and "attempt 1 of 3" in other.text, "counted per CUPS job"
    third = capture(client, token, pdf, **plain)
    assert third.status_code == 422 and "after 3 attempts: server error (RuntimeError)" in third.text
    assert "no one foresaw" not in third.text, "details stay in the server's log"


def test_a_database_outage_is_503_so_the_queue_waits(client, token, pdf, monkeypatch):
    import webui.api.capture

    def outage(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(webui.api.capture, "capture_job", outage)
    answer = capture(client, token, pdf, Accept="text/plain")
    assert answer.status_code == 503 and "OperationalError" in answer.text


def test_an_unexpected_error_while_counting_leaves_no_temporary_file(runtime, pdf):
    from dataclasses import replace

    from printrelease.jobs.capture import CaptureRequest, capture_job

    def explode(path, content_type):
        raise RuntimeError("boom")

    policy = replace(runtime.capture_policy, count_pages=explode)
    with runtime.sessions() as session, pytest.raises(RuntimeError):
        capture_job(session, runtime.spool, policy, CaptureRequest(user="김성렬", title="t"), [pdf])
    assert list(runtime.spool.tmp.iterdir()) == [] and runtime.spool.keys() == set()


def test_a_body_declared_too_large_is_refused_unread_and_recorded(client, runtime, token):
    answer = client.post("/api/v1/capture", data=b"%PDF-1.7 only the start", headers=headers(token),
                         environ_overrides={"CONTENT_LENGTH": str(10**15)})
    assert answer.status_code == 413 and "larger than the limit" in answer.json["message"]
    with runtime.sessions() as session:
        (job,) = list_jobs(session, states=[JobState.REJECTED])
        assert job.size == 10**15
    assert list(runtime.spool.tmp.iterdir()) == []


@pytest.mark.parametrize("job_id", ["²", "١٢", "9" * 30, "-4", "0", "2147483648", "007"])
def test_odd_job_ids_are_no_id_at_all(client, runtime, token, pdf, job_id):
    answer = capture(client, token, pdf, **{"X-Job-Id": quote(job_id)})
    assert answer.status_code == 201, answer.text
    with runtime.sessions() as session:
        (job,) = list_jobs(session)
        assert job.source_cups_job_id == (7 if job_id == "007" else None)


def test_a_long_job_uuid_still_identifies_its_job(client, runtime, token, pdf):
    long_uuid = {"X-Job-Options": quote("job-uuid=urn:made-up:" + "x" * 200)}
    assert capture(client, token, pdf, **long_uuid).status_code == 201
    assert capture(client, token, pdf, **long_uuid).json["duplicate"] is True


def test_nul_in_metadata_is_harmless_text(client, runtime, token, pdf):
    """PostgreSQL cannot store NUL: it arrives as U+FFFD, like bytes that are not UTF-8."""
    held = capture(client, token, pdf, **{"X-Job-User": "kim%00sr", "X-Job-Title": "%00title",
                                          "X-Job-Options": quote("job-uuid=u:1 job-originating-host-name=a\x00b")})
    assert held.status_code == 201, held.text
    with runtime.sessions() as session:
        (job,) = list_jobs(session)
        assert (job.owner.login, job.title, job.originating_host) == ("kim\ufffdsr", "\ufffdtitle", "a\ufffdb")


@pytest.mark.parametrize("path, auth", [("/api/v1/session", False), ("/api/v1/me/cards/claim", False),
                                        ("/api/v1/station/tap", True)])
@pytest.mark.parametrize("body, status", [
    (b"[1, 2]", 400),
    (b"[" * 5000, 400),
    (b'{"login": ' + b"9" * 5000 + b"}", 400),
    (b'{"login": "\\ud800", "password": "\\udfff-password", "card": "\\ud800", "station": "\\ud800", "code": "1"}',
     400),
    (b'{"login": "kim\\u0000", "password": "x\\u0000yyyyyyyy", "card": "0A0B0C0D\\u0000"}', 400),
    (b'{"a": "' + b"x" * 9000 + b'"}', 413),
])
def test_json_routes_take_a_small_json_object_and_nothing_else(client, runtime, station_token, path, auth, body,
                                                               status):
    sent = {"Content-Type": "application/json", **({"Authorization": f"Bearer {station_token}"} if auth else {})}
    if path == "/api/v1/me/cards/claim":
        from printrelease.accounts.passwords import hash_password
        from printrelease.accounts.service import add_user

        with runtime.sessions.begin() as session:
            add_user(session, "leejy").password_hash = hash_password("이지영의 비밀번호")
        assert client.post("/api/v1/session", json={"login": "leejy", "password": "이지영의 비밀번호"}).status_code == 201
    answer = client.post(path, data=body, headers=sent)
    assert answer.status_code == status, answer.text
