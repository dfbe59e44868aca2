"""Operations against a real `printrelease serve`: /metrics after a job printed with lp and released by a
tap, two workers' measurements added up (SQLite and PostgreSQL), and the access log a site ships."""

from __future__ import annotations

import json
import os
import signal
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.parser import text_string_to_metric_families

from printrelease.jobs.models import JobState
from tests.conftest import fresh_database
from tests.integration.conftest import Stack, running_stack, wait_until

KIM_UID = "04A1B2C3D4E5F6"


def call(url: str, path: str, body: dict | None = None, headers: dict | None = None) -> tuple[int, bytes]:
    """One request on a connection of its own (so that either worker may take it)."""
    request = urllib.request.Request(url + path, data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=20) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def scrape(url: str) -> dict[str, float]:
    status, text = call(url, "/metrics")
    assert status == 200, text
    samples = {}
    for family in text_string_to_metric_families(text.decode()):
        for sample in family.samples:
            labels = ",".join(f"{k}={v}" for k, v in sorted(sample.labels.items()))
            samples[sample.name + (f"{{{labels}}}" if labels else "")] = sample.value
    return samples


def station(stack) -> str:
    """Station reader-a at dept-a, and 김성렬 (kimsr) with a card; returns the station's token."""
    stack.cli("users", "add", "kimsr", "--name", "김성렬", "--department", "budget")
    stack.cli("cards", "add", "kimsr", KIM_UID)
    token_file = stack.root / "reader-a.token"
    stack.cli("stations", "add", "reader-a", "--printer", "dept-a", "--token-file", str(token_file))
    return token_file.read_text().strip()


def tap(stack, token: str) -> dict:
    status, answer = call(stack.url, "/api/v1/station/tap", {"card": KIM_UID},
                          {"Authorization": f"Bearer {token}"})
    assert status == 200, answer
    return json.loads(answer)


def test_a_job_printed_with_lp_and_released_by_a_tap_moves_the_counters(stack, documents):
    token = station(stack)
    before = scrape(stack.url)
    stack.lp(documents["pdf"], "kimsr", "예산안 2013.pdf")
    stack.wait_jobs(1, JobState.HELD)
    held = scrape(stack.url)
    assert held["printrelease_jobs_held"] == before["printrelease_jobs_held"] + 1
    assert held["printrelease_jobs_captured_total"] == before["printrelease_jobs_captured_total"] + 1
    assert tap(stack, token)["outcome"] == "released"
    stack.wait_jobs(1, JobState.PRINTED)
    after = scrape(stack.url)
    for name in ("printrelease_jobs_released_total", "printrelease_jobs_printed_total",
                 "printrelease_release_seconds_count", "printrelease_tap_seconds_count",
                 "printrelease_taps_total{outcome=released}"):
        assert after[name] == before[name] + 1, name
    assert after["printrelease_jobs_held"] == before["printrelease_jobs_held"]
    assert 0 < after["printrelease_release_seconds_sum"] - before["printrelease_release_seconds_sum"] < 10


class TwoWorkers(Stack):
    def start_server(self, **extra_env: str) -> None:
        super().start_server(PRINTRELEASE_WEB_WORKERS="2", **extra_env)


@pytest.fixture(params=["sqlite", "postgresql"])
def two_workers(request, cupsd, tmp_path):
    with running_stack(cupsd, tmp_path, fresh_database(request, request.param, tmp_path / "data"), TwoWorkers) as stack:
        yield stack


def per_worker_taps(stack) -> dict[int, float]:
    """Each worker's own count of timed taps, read from its file in the server's metrics folder."""
    folder = Path(stack.settings.data_dir) / "metrics" / str(stack.port)
    counts = {}
    for path in folder.glob("histogram_*.db"):
        pid = int(path.stem.rsplit("_", 1)[1])
        for family in MultiProcessCollector.merge([str(path)]):
            for sample in family.samples:
                if sample.name == "printrelease_tap_seconds_count" and sample.value:
                    counts[pid] = sample.value
    return counts


def test_two_workers_add_up_to_every_tap(two_workers):
    stack = two_workers
    token = station(stack)
    workers = children(stack)
    assert len(workers) == 2
    taps = 0

    def both_counted():
        nonlocal taps
        assert tap(stack, token)["outcome"] == "nothing_to_print"
        taps += 1
        return len(per_worker_taps(stack)) == 2 and per_worker_taps(stack)

    counts = wait_until(both_counted, timeout=60, interval=0, what="taps answered by both workers")
    assert set(counts) == workers, "the counts come from the two workers' own files"
    assert sum(counts.values()) == taps
    for _ in range(4):  # whichever worker answers the scrape gives the sum of both
        samples = scrape(stack.url)
        assert samples["printrelease_tap_seconds_count"] == taps
        assert samples["printrelease_taps_total{outcome=nothing_to_print}"] == taps
        assert samples["printrelease_tap_seconds_bucket{le=+Inf}"] == taps
    # A worker killed and replaced: what it measured still counts, beside what its successor measures.
    os.kill(min(workers), signal.SIGKILL)
    wait_until(lambda: len(children(stack)) == 2 and min(workers) not in children(stack), what="a new worker")
    assert tap(stack, token)["outcome"] == "nothing_to_print"
    assert scrape(stack.url)["printrelease_tap_seconds_count"] == taps + 1


def children(stack) -> set[int]:
    master = stack.process.pid
    return {int(pid) for pid in Path(f"/proc/{master}/task/{master}/children").read_text().split()}


def access_lines(stack, after: int = 0) -> list[str]:
    return [line for line in (stack.root / "server.log").read_text(errors="replace").splitlines()[after:]
            if "request" in line and "method" in line]


SECRETS = {"Authorization": "Bearer station-secret-9f2c7a", "Cookie": "session=cookie-secret-4b1d0e",
           "X-Forwarded-For": "10.1.2.3"}


def test_every_request_is_one_access_line_without_secrets(stack):
    status, _ = call(stack.url, "/healthz?code=query-secret-77aa", headers=SECRETS)
    assert status in (200, 503)
    status, _ = call(stack.url, "/api/v1/station/tap", {"card": KIM_UID}, SECRETS)
    assert status == 401
    (health,) = wait_until(lambda: [line for line in access_lines(stack) if "path=/healthz" in line])
    fields = dict(part.split("=", 1) for part in health.split(" request ", 1)[1].split())
    assert fields["method"] == "GET" and fields["status"] in ("200", "503") and int(fields["bytes"]) > 0
    assert float(fields["ms"]) > 0 and fields["client"] == "127.0.0.1", "no proxy is trusted: the address is ours"
    wait_until(lambda: [line for line in access_lines(stack) if "path=/api/v1/station/tap" in line and "status=401"
                        in line])
    log = (stack.root / "server.log").read_text(errors="replace")
    for secret in ("station-secret", "cookie-secret", "query-secret"):
        assert secret not in log, secret


def test_json_access_lines_with_the_address_the_proxy_gave_and_none_when_off(stack):
    stack.stop_server()
    stack.start_server(PRINTRELEASE_LOG_FORMAT="json", PRINTRELEASE_TRUSTED_PROXIES="1")
    call(stack.url, "/jobs?page=2&code=query-secret-77aa", headers=SECRETS)

    def the_line():
        for line in (stack.root / "server.log").read_text(errors="replace").splitlines():
            record = json.loads(line) if line.startswith("{") else {}
            if record.get("event") == "request" and record.get("path") == "/jobs":
                return record

    record = wait_until(the_line)
    assert record["logger"] == "printrelease.access" and record["method"] == "GET"
    assert record["status"] == 303 and record["client"] == "10.1.2.3"  # to the login page, from the proxy's client
    assert isinstance(record["bytes"], int) and isinstance(record["ms"], float)
    assert not set(record) & {"query", "headers", "cookie", "authorization"}
    assert "query-secret" not in json.dumps(record)
    # gunicorn's own lines come in the same format.
    assert any(json.loads(line).get("logger", "").startswith("gunicorn") for line in
               (stack.root / "server.log").read_text(errors="replace").splitlines() if line.startswith("{"))

    stack.stop_server()
    lines = len((stack.root / "server.log").read_text(errors="replace").splitlines())
    stack.start_server(PRINTRELEASE_ACCESS_LOG="0")
    call(stack.url, "/healthz")
    assert scrape(stack.url)["printrelease_database_up"] == 1  # the server answered: it just did not log
    stack.stop_server()  # its last lines written
    assert access_lines(stack, after=lines) == []
    assert "Booting worker" in (stack.root / "server.log").read_text(errors="replace").split("\n", lines)[-1]


@pytest.fixture(autouse=True)
def _no_inherited_multiprocess_folder():
    assert "PROMETHEUS_MULTIPROC_DIR" not in os.environ, "the test session must not run in multiprocess mode"
