"""Attack on `printrelease serve --workers 2` on SQLite: taps, web releases, deletes, pages and captures at
both workers at once; nothing may answer 5xx, say "database is locked", or print a job twice or lose it."""

from __future__ import annotations

import hashlib
import http.cookiejar
import json
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from printrelease.accounts.models import WebSession
from printrelease.accounts.sessions import SEEN_EVERY
from printrelease.db import utcnow
from printrelease.jobs.models import Job, JobState
from printrelease.usage.models import UsageRecord
from sandbox.documents import make_pdf
from tests.conftest import fresh_database
from tests.integration.conftest import running_stack, wait_until
from tests.integration.test_operations import KIM_UID, TwoWorkers, children

PASSWORD = "correct horse battery 42"


@pytest.fixture
def sqlite_workers(request, cupsd, tmp_path):
    with running_stack(cupsd, tmp_path, fresh_database(request, "sqlite", tmp_path / "data"), TwoWorkers) as stack:
        stack.cli("users", "add", "kimsr", "--name", "김성렬")
        stack.cli("users", "set-password", "kimsr", "--password", PASSWORD)
        stack.cli("cards", "add", "kimsr", KIM_UID)
        stack.tokens = {}
        for printer in ("dept-a", "dept-b"):
            token_file = tmp_path / f"{printer}.token"
            stack.cli("stations", "add", f"reader-{printer}", "--printer", printer, "--token-file", str(token_file))
            stack.tokens[printer] = token_file.read_text().strip()
        yield stack


class Browser:
    """A logged-in user's browser; each request on a connection of its own, so either worker takes it."""

    def __init__(self, url: str, statuses: list):
        self.url, self.statuses = url, statuses
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        status, _ = self.send("/api/v1/session", json.dumps({"login": "kimsr", "password": PASSWORD}).encode(),
                              {"Content-Type": "application/json"})
        assert status == 201

    def send(self, path: str, data: bytes | None = None, headers: dict | None = None) -> tuple[int, str]:
        request = urllib.request.Request(self.url + path, data=data, headers=headers or {})
        try:
            with self.opener.open(request, timeout=60) as answer:
                status, body = answer.status, answer.read().decode(errors="replace")
        except urllib.error.HTTPError as error:
            status, body = error.code, error.read().decode(errors="replace")
        self.statuses.append((path, status, body[:300] if status >= 500 else ""))
        return status, body

    def form(self, path: str, fields: list[tuple[str, str]]) -> tuple[int, str]:
        _, page = self.send("/jobs")
        found = re.search(r'name="csrf_token" value="([^"]+)"', page)
        if found is None:  # no job left: no form on the page
            return 0, ""
        return self.send(path, urllib.parse.urlencode([("csrf_token", found.group(1)), *fields]).encode(),
                         {"Content-Type": "application/x-www-form-urlencoded"})


def tap(stack, printer: str, statuses: list) -> None:
    request = urllib.request.Request(f"{stack.url}/api/v1/station/tap", data=json.dumps({"card": KIM_UID}).encode(),
                                     headers={"Authorization": f"Bearer {stack.tokens[printer]}",
                                              "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            statuses.append(("tap " + printer, answer.status, ""))
    except urllib.error.HTTPError as error:
        statuses.append(("tap " + printer, error.code, error.read().decode(errors="replace")[:300]))


def settled(stack) -> bool:
    with stack.runtime.sessions() as session:
        return not session.scalar(select(func.count()).select_from(Job).where(
            Job.state.in_([JobState.RELEASING, JobState.SENT])))


def test_two_sqlite_workers_hammered_at_once_answer_everyone_and_print_each_job_once(sqlite_workers, tmp_path):
    stack = sqlite_workers
    assert len(children(stack)) == 2
    for n in range(8):
        stack.lp(make_pdf(tmp_path / f"held-{n}.pdf", f"먼저 {n}", pages=1), "kimsr", f"먼저 {n}")
    stack.wait_jobs(8, JobState.HELD)
    statuses: list = []
    browsers = [Browser(stack.url, statuses) for _ in range(3)]
    start = threading.Barrier(7)
    errors: list = []

    def tapper(printer):
        start.wait()
        for _ in range(3):
            tap(stack, printer, statuses)

    def releaser():
        start.wait()
        for _ in range(3):
            browsers[0].form("/jobs/release", [("all", "1"), ("printer", "dept-b")])

    def deleter():
        start.wait()
        for _ in range(4):
            _, page = browsers[1].send("/jobs")
            ids = re.findall(r'name="job" value="(\d+)"', page)
            if ids:
                browsers[1].form("/jobs/delete", [("job", ids[-1]), ("confirm", "1")])

    def reader():
        start.wait()
        for _ in range(8):
            with stack.runtime.sessions.begin() as session:  # every page now has a note to write
                session.execute(update(WebSession).values(last_seen_at=utcnow() - SEEN_EVERY - timedelta(seconds=5)))
            for path in ("/jobs", "/jobs/printers", "/jobs/history"):
                browsers[2].send(path)

    def capturer():
        start.wait()
        for n in range(3):
            stack.lp(make_pdf(tmp_path / f"late-{n}.pdf", f"나중 {n}", pages=1), "kimsr", f"나중 {n}")

    def guarded(work, *args):
        def run():
            try:
                work(*args)
            except BaseException as error:  # noqa: BLE001 - reported by the test
                errors.append(error)
                start.abort()
        return threading.Thread(target=run)

    threads = [guarded(tapper, "dept-a"), guarded(tapper, "dept-b"), guarded(releaser), guarded(deleter),
               guarded(reader), guarded(capturer), guarded(reader)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not errors, errors
    failures = [entry for entry in statuses if entry[1] >= 500]
    assert not failures, failures
    stack.wait_jobs(11, timeout=30)
    wait_until(lambda: settled(stack), timeout=60, what="every release to end")

    jobs = stack.jobs()
    by_state = Counter(job.state for job in jobs)
    assert set(by_state) <= {JobState.HELD, JobState.PRINTED, JobState.DELETED}, by_state
    assert len(jobs) == 11, "a capture was lost"
    assert by_state[JobState.PRINTED], by_state
    printed = Counter(hashlib.sha256(path.read_bytes()).hexdigest()
                      for printer in ("dept-a", "dept-b") for path in stack.output(printer))
    assert all(count == 1 for count in printed.values()), "a document printed twice"
    assert printed == Counter(job.sha256 for job in jobs if job.state == JobState.PRINTED)
    with stack.runtime.sessions() as session:
        charged = Counter(session.scalars(select(UsageRecord.job_id)))
    assert charged == Counter(job.id for job in jobs if job.state == JobState.PRINTED), "charged once each"
    log = (stack.root / "server.log").read_text(errors="replace")
    assert "database is locked" not in log and "Traceback" not in log, log[-3000:]
