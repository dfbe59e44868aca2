"""/metrics through the test client: Prometheus's text format, site counts that follow a job's life, the
core's measurements of releases and taps, and who may read it."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import timedelta

import pytest
from prometheus_client.parser import text_string_to_metric_families

from printrelease.config import ConfigError, Settings
from printrelease.db import utcnow
from printrelease.jobs.models import Job
from printrelease.jobs.service import expire_jobs
from printrelease.printers.models import Printer
from printrelease.printing import QueueInfo
from printrelease.release.service import Releaser
from tests.fakes import FakePrintServer
from tests.webui.conftest import form_token, hold
from tests.webui.test_station_api import tap

TOKEN = "prometheus-scrape-token-2026"


def scrape(client, **kwargs) -> dict[str, float]:
    """Every sample of a scrape by name and labels, e.g. samples["printrelease_taps_total{outcome=released}"]."""
    answer = client.get("/metrics", **kwargs)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert answer.content_type.startswith("text/plain; version=")
    samples = {}
    for family in text_string_to_metric_families(answer.get_data(as_text=True)):
        for sample in family.samples:
            labels = ",".join(f"{k}={v}" for k, v in sorted(sample.labels.items()))
            samples[sample.name + (f"{{{labels}}}" if labels else "")] = sample.value
    return samples


def moved(before: dict, after: dict) -> dict[str, float]:
    """The samples that changed between two scrapes, by how much."""
    return {name: after[name] - before.get(name, 0) for name in after if after[name] != before.get(name, 0)}


@pytest.fixture
def fake_cups(runtime):
    """The runtime's releaser sends to an in-memory print server, where dept-a is ready."""
    server = FakePrintServer([QueueInfo("dept-a")])
    runtime.__dict__["releaser"] = Releaser(runtime.sessions, runtime.spool, lambda _address: server)
    with runtime.sessions.begin() as session:
        session.add(Printer(name="dept-a", cups_server="fake:631", cups_queue="dept-a"))
    return server


def test_the_exposition_parses_and_names_every_figure(client):
    samples = scrape(client)
    for name in ("printrelease_database_up", "printrelease_jobs_held", "printrelease_jobs_lost",
                 *(f"printrelease_jobs_{end}_total" for end in
                   ("captured", "released", "printed", "expired", "failed", "rejected", "deleted")),
                 "printrelease_release_seconds_count", "printrelease_tap_seconds_count",
                 'printrelease_release_seconds_bucket{le=+Inf}'):
        assert name in samples, name
    assert samples["printrelease_database_up"] == 1


def test_site_counts_follow_a_capture_a_release_and_an_expiry(client_as, runtime, people, pdf, fake_cups):
    client = client_as("user")
    start = scrape(client)
    first = hold(runtime, "kimsr", "예산안 2013.pdf", pdf)
    second = hold(runtime, "kimsr", "회의록.pdf", pdf)
    captured = scrape(client)
    assert moved(start, captured) == {"printrelease_jobs_captured_total": 2, "printrelease_jobs_held": 2}

    answer = client.post("/jobs/release", data={"job": [first], "printer": "dept-a",
                                                "csrf_token": form_token(client, "/jobs")})
    assert answer.status_code == 303 and len(fake_cups.remote) == 1
    released = scrape(client)
    change = moved(captured, released)
    assert change.pop("printrelease_jobs_released_total") == 1 and change.pop("printrelease_jobs_held") == -1
    assert change.pop("printrelease_release_seconds_count") == 1 and change.pop("printrelease_release_seconds_sum") > 0
    assert change.pop("printrelease_release_seconds_bucket{le=+Inf}") == 1
    assert all(name.startswith("printrelease_release_seconds_bucket") for name in change), change

    with runtime.sessions.begin() as session:
        session.get(Job, second).expires_at = utcnow() - timedelta(minutes=1)
    with runtime.sessions.begin() as session:
        assert [job.id for job in expire_jobs(session, runtime.spool)] == [second]
    assert moved(released, scrape(client)) == {"printrelease_jobs_expired_total": 1, "printrelease_jobs_held": -1}


def test_taps_are_counted_by_outcome_and_timed(client, station_token):
    before = scrape(client)
    assert tap(client, station_token, "DEADBEEF").json["outcome"] == "unknown_card"
    assert tap(client, station_token, "04A1B2C3").json["outcome"] == "nothing_to_print"
    # The agent's repeat of the same request is the same tap: answered again, counted once.
    for _ in range(2):
        assert tap(client, station_token, "04A1B2C3", id="tap-7").json["outcome"] == "nothing_to_print"
    change = moved(before, scrape(client))
    assert change["printrelease_taps_total{outcome=unknown_card}"] == 1
    assert change["printrelease_taps_total{outcome=nothing_to_print}"] == 2
    assert change["printrelease_tap_seconds_count"] == 3 and change["printrelease_tap_seconds_sum"] > 0
    assert "printrelease_release_seconds_count" not in change, "nothing was sent"


def test_a_database_that_does_not_answer_is_a_figure_not_a_failed_scrape(client, runtime):
    runtime.__dict__["reading_sessions"] = type(runtime.reading_sessions)(bind=_unreachable_engine())
    samples = scrape(client)
    assert samples["printrelease_database_up"] == 0
    assert "printrelease_jobs_held" not in samples and "printrelease_tap_seconds_count" in samples


def _unreachable_engine():
    from sqlalchemy import create_engine

    return create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none", connect_args={"connect_timeout": 2})


def test_without_a_token_only_this_machine_may_read(client):
    assert client.get("/metrics").status_code == 200  # the test client comes from 127.0.0.1
    elsewhere = client.get("/metrics", environ_base={"REMOTE_ADDR": "10.20.30.40"})
    assert elsewhere.status_code == 403 and "cannot be read from here" in elsewhere.get_data(as_text=True)
    # Passed on by a proxy on this machine: the client is elsewhere, whatever the address says.
    for header in ("X-Forwarded-For", "X-Real-IP", "Forwarded"):
        assert client.get("/metrics", headers={header: "10.20.30.40"}).status_code == 403, header
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "::1"}).status_code == 200


def test_with_a_token_a_scraper_anywhere_reads_with_it_and_only_with_it(runtime, client):
    digest = hashlib.sha256(TOKEN.encode()).hexdigest()
    runtime.settings = replace(runtime.settings, metrics_token_sha256=digest)
    far = {"environ_base": {"REMOTE_ADDR": "10.20.30.40"}}
    missing = client.get("/metrics", **far)
    assert missing.status_code == 401 and missing.headers["WWW-Authenticate"].startswith("Bearer")
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}, **far).status_code == 403
    assert client.get("/metrics", headers={"Authorization": f"Basic {TOKEN}"}, **far).status_code == 401
    assert "printrelease_jobs_held" in scrape(client, headers={"Authorization": f"Bearer {TOKEN}"}, **far)
    # On this machine a wrong token is still wrong; no token at all is the local scraper.
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 403
    assert client.get("/metrics").status_code == 200


def test_the_configuration_holds_the_tokens_hash_never_the_token():
    digest = hashlib.sha256(TOKEN.encode()).hexdigest()
    settings = Settings.from_env({"PRINTRELEASE_CONFIG": "", "PRINTRELEASE_METRICS_TOKEN": f"sha256:{digest.upper()}"})
    assert settings.metrics_token_sha256 == digest
    with pytest.raises(ConfigError, match="SHA-256"):
        Settings.from_env({"PRINTRELEASE_CONFIG": "", "PRINTRELEASE_METRICS_TOKEN": TOKEN})
    assert Settings.from_env({"PRINTRELEASE_CONFIG": ""}).metrics_token_sha256 is None
