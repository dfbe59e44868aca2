"""The capture API as the CUPS backend calls it: credentials, metadata encoding, outcomes."""

from urllib.parse import quote_from_bytes

import pytest

from printrelease.runtime import Runtime
from printrelease.credentials.service import issue_token
from printrelease.jobs.models import JobState
from printrelease.jobs.service import list_jobs


def headers(token, user="김성렬", title="예산안 2013.pdf", options="job-uuid=urn:uuid:1", **extra):
    enc = lambda v: quote_from_bytes(v if isinstance(v, bytes) else v.encode())  # noqa: E731
    return {"Authorization": f"Bearer {token}", "X-Job-User": enc(user), "X-Job-Title": enc(title),
            "X-Job-Options": enc(options), "X-Job-Copies": "1", "X-Job-Id": "7", "X-Job-Queue": "secure-print",
            "Content-Type": "application/pdf", **extra}


def test_capture_holds_the_job(client, runtime, token, pdf):
    response = client.post("/api/v1/capture", data=pdf, headers=headers(token))
    assert response.status_code == 201, response.json
    assert response.json["state"] == "held" and response.json["pages"] == 2
    with runtime.sessions() as session:
        (job,) = list_jobs(session, owner="김성렬")
        assert job.title == "예산안 2013.pdf" and job.source_cups_job_id == 7


def test_a_repeat_is_acknowledged_not_stored(client, token, pdf):
    assert client.post("/api/v1/capture", data=pdf, headers=headers(token)).status_code == 201
    again = client.post("/api/v1/capture", data=pdf, headers=headers(token))
    assert again.status_code == 200 and again.json["duplicate"] is True


@pytest.mark.parametrize("authorization", [None, "Bearer wrong", "Basic Zm9vOmJhcg=="])
def test_capture_without_valid_credentials_is_401(client, runtime, token, pdf, authorization):
    sent = headers(token)
    del sent["Authorization"]
    if authorization:
        sent["Authorization"] = authorization
    response = client.post("/api/v1/capture", data=pdf, headers=sent)
    assert response.status_code == 401 and response.headers["WWW-Authenticate"].startswith("Bearer")
    with runtime.sessions() as session:
        assert list_jobs(session, states=list(JobState)) == []


def test_a_revoked_or_foreign_kind_token_is_refused(client, runtime, pdf):
    with runtime.sessions.begin() as session:
        station_token = issue_token(session, "station", "lobby")[1]
    assert client.post("/api/v1/capture", data=pdf, headers=headers(station_token)).status_code == 401


def test_corrupt_documents_get_422_with_a_reason(client, runtime, token):
    response = client.post("/api/v1/capture", data=b"%PDF-1.7 garbage", headers=headers(token))
    assert response.status_code == 422 and "damaged" in response.json["message"]
    with runtime.sessions() as session:
        (job,) = list_jobs(session, states=[JobState.REJECTED])
        assert job.state_reason == response.json["message"]


def test_oversize_documents_get_413(client, runtime, token):
    response = client.post("/api/v1/capture", data=b"%PDF" + b"0" * 6_000_000, headers=headers(token))
    assert response.status_code == 413 and "limit" in response.json["message"]
    assert runtime.spool.keys() == set()


def test_invalid_utf8_and_path_like_titles_arrive_as_harmless_text(client, runtime, token, pdf):
    sent = headers(token, title=b"\xff\xfe../../etc/passwd", user=b"\xea\xb9\x80\xec\x84\xb1\xeb\xa0\xac")
    assert client.post("/api/v1/capture", data=pdf, headers=sent).status_code == 201
    with runtime.sessions() as session:
        (job,) = list_jobs(session)
        assert job.title == "\ufffd\ufffd../../etc/passwd" and job.owner.login == "김성렬"


def test_health(runtime):
    from dataclasses import replace

    from webui import create_app

    nowhere = Runtime(replace(runtime.settings, cups_server="127.0.0.1:1"))
    answer = create_app({"TESTING": True}, runtime=nowhere).test_client().get("/api/v1/health")
    checks = {check["name"]: check for check in answer.json["checks"]}
    # No CUPS in this test: the server itself is fine (200), the CUPS check fails.
    assert answer.status_code == 200 and answer.json["status"] == "fail"
    assert checks["database"]["status"] == checks["spool"]["status"] == "ok" and checks["cups"]["status"] == "fail"
    assert all(set(check) == {"name", "status"} for check in checks.values()), "details are for the doctor"


def test_unknown_users_are_refused_per_job_when_auto_create_is_off(runtime, token, pdf):
    from dataclasses import replace

    from printrelease.runtime import Runtime
    from webui import create_app

    strict = Runtime(replace(runtime.settings, auto_create_users=False))
    client = create_app({"TESTING": True}, runtime=strict).test_client()
    response = client.post("/api/v1/capture", data=pdf,
                           headers={**headers(token, user="stranger"), "Accept": "text/plain"})
    strict.close()
    # 422, not 404: the backend cancels this one job instead of pausing the queue for everyone.
    assert response.status_code == 422 and response.text.startswith("unknown user 'stranger'")


def test_a_nonsense_user_name_cancels_the_job_not_the_queue(client, runtime, token, pdf):
    response = client.post("/api/v1/capture", data=pdf, headers=headers(token, user="x" * 300))
    assert response.status_code == 400 and "not a usable login name" in response.json["message"]
    with runtime.sessions() as session:
        assert list_jobs(session, states=list(JobState)) == []
