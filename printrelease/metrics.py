"""Measurements the core takes where the work happens (a release's and a tap's duration, a tap's outcome),
handed to whatever recorder an edge installed: the core knows no metrics library, the web server does.

A process with no recorder (the CLI, a test of the core) measures nothing. The recorder is one per
process because what it feeds is per process too: a Prometheus client's values live in the process
that observed them.
"""

from __future__ import annotations

import logging
from typing import Protocol

log = logging.getLogger(__name__)


class Recorder(Protocol):
    def release_sent(self, seconds: float, jobs: int) -> None:
        """A release sent `jobs` jobs (at least one), `seconds` after it was asked for."""

    def tap_answered(self, outcome: str, seconds: float) -> None:
        """A tap was answered with `outcome` (a TapOutcome value, or "error") after `seconds`."""


_recorder: Recorder | None = None


def install(recorder: Recorder | None) -> None:
    """Make `recorder` this process's (None: measure nothing)."""
    global _recorder
    _recorder = recorder


def release_sent(seconds: float, jobs: int) -> None:
    _record("release_sent", seconds, jobs)


def tap_answered(outcome: str, seconds: float) -> None:
    _record("tap_answered", outcome, seconds)


def _record(what: str, *values) -> None:
    recorder = _recorder
    if recorder is None:
        return
    try:
        getattr(recorder, what)(*values)
    except Exception:  # a measurement never undoes the release or the tap it measured
        log.exception("could not record %s", what)
