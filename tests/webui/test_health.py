"""/api/v1/health while it measures again: the other probes take the last answer, unless it is too old."""

from __future__ import annotations

import threading

import pytest

from printrelease.doctor import FAIL, OK, Check
from webui.api import health

BROKEN = [Check("database", FAIL, "gone", critical=True)]


@pytest.fixture
def measuring(monkeypatch):
    """run_checks that answers "ok" at first, then, once `release` is set, a broken database; each later
    measurement waits for `release`, and `started` says one has begun."""
    state = {"calls": 0, "started": threading.Event(), "release": threading.Event()}

    def run_checks(_runtime, _sections):
        state["calls"] += 1
        if state["calls"] == 1:
            return [Check("database", OK, "fine", critical=True)]
        state["started"].set()
        assert state["release"].wait(20), "the test never let the measurement finish"
        return BROKEN

    monkeypatch.setattr(health, "run_checks", run_checks)
    monkeypatch.setattr(health, "_last", {})
    return state


def test_probes_take_the_last_answer_while_a_slow_measurement_runs(app, measuring, monkeypatch):
    assert app.test_client().get("/api/v1/health").status_code == 200
    monkeypatch.setattr(health, "FRESH_FOR", 0.0)  # every answer is due again from now on
    slow = {}
    measurer = threading.Thread(target=lambda: slow.update(answer=app.test_client().get("/api/v1/health")))
    measurer.start()
    try:
        assert measuring["started"].wait(10)
        answers = [app.test_client().get("/api/v1/health") for _ in range(5)]
        assert [a.status_code for a in answers] == [200] * 5, "the last answer, at once"
        assert measuring["calls"] == 2, "one measurement at a time"
    finally:
        measuring["release"].set()
        measurer.join(10)
    assert slow["answer"].status_code == 503
    monkeypatch.setattr(health, "FRESH_FOR", 60.0)
    assert app.test_client().get("/api/v1/health").status_code == 503, "the new answer for everyone"


def test_an_answer_too_old_is_not_given_probes_wait_for_the_measurement(app, measuring, monkeypatch):
    assert app.test_client().get("/api/v1/health").status_code == 200
    monkeypatch.setattr(health, "FRESH_FOR", 0.0)
    monkeypatch.setattr(health, "STALE_FOR", 0.0)
    answers = []

    def probe():
        answers.append(app.test_client().get("/api/v1/health").status_code)

    measurer = threading.Thread(target=probe)
    measurer.start()
    assert measuring["started"].wait(10)
    waiter = threading.Thread(target=probe)
    waiter.start()
    waiter.join(0.5)  # it must still be waiting: nothing to join yet
    assert waiter.is_alive() and answers == [], "no answer older than STALE_FOR"
    measuring["release"].set()
    for thread in (measurer, waiter):
        thread.join(10)
    assert sorted(answers) == [503, 503]
