"""What /metrics says, in Prometheus's text format: the site's job counts from the database, and this
server's release and tap latencies and tap outcomes from the core's measurements (printrelease.metrics).

Under `printrelease serve` with several worker processes, PROMETHEUS_MULTIPROC_DIR is set before they
fork: each worker's observations go to its own files there, and a scrape, whichever worker answers it,
adds up every worker's (prometheus-client's multiprocess mode). With one worker they stay in memory.
"""

from __future__ import annotations

import logging
import os

from prometheus_client import CollectorRegistry, Counter, Histogram, disable_created_metrics, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError

from printrelease import metrics
from printrelease.jobs.models import Job, JobEvent, JobState
from printrelease.stations.models import TapOutcome

log = logging.getLogger("printrelease.server")

MULTIPROCESS = "PROMETHEUS_MULTIPROC_DIR"
disable_created_metrics()  # a creation time per series, in one mode only: noise for a dashboard
# From a quick tap with nothing to print (a few ms) to a release that waited on a slow printer.
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

RELEASE_SECONDS = Histogram(
    "printrelease_release_seconds", "Time from asking for a release until CUPS holds the last of its jobs at "
    "the printer, for releases that sent at least one job (this server)", buckets=BUCKETS, registry=None)
TAP_SECONDS = Histogram(
    "printrelease_tap_seconds", "Time from a tap reaching the server to its answer (this server)", buckets=BUCKETS,
    registry=None)
TAPS = Counter("printrelease_taps", "Taps answered, by outcome (this server)", ["outcome"], registry=None)
OWN = (RELEASE_SECONDS, TAP_SECONDS, TAPS)
for _outcome in (*(o.value for o in TapOutcome if o is not TapOutcome.PENDING), "error"):
    TAPS.labels(_outcome)  # every outcome from zero, so that a rate exists before the first such tap


class PrometheusRecorder:
    """The core's measurements (printrelease.metrics.Recorder) as prometheus-client observations."""

    def release_sent(self, seconds: float, jobs: int) -> None:
        RELEASE_SECONDS.observe(seconds)

    def tap_answered(self, outcome: str, seconds: float) -> None:
        TAPS.labels(outcome).inc()
        TAP_SECONDS.observe(seconds)


RECORDER = PrometheusRecorder()

# The job counters: how many jobs reached each of these ends (final states: a job never leaves them and
# no row is ever deleted, so the counts only grow).
FINAL = {
    JobState.PRINTED: ("printed", "Jobs printed"),
    JobState.EXPIRED: ("expired", "Jobs that expired before their owners released them"),
    JobState.FAILED: ("failed", "Jobs whose stored document was lost or damaged"),
    JobState.REJECTED: ("rejected", "Documents refused at capture (corrupt, empty, too large)"),
    JobState.DELETED: ("deleted", "Jobs deleted before they were released"),
}


class SiteCollector:
    """Job counts for the whole site, read from the database at each scrape.

    The jobs' states are the truth that every server sharing the database writes: counting them at scrape
    time gives the right figures however many workers and servers captured, released and expired the
    jobs, including the CLI and servers restarted meanwhile, where counters kept in each process would
    count only their own share and start again at zero with it. Every server therefore reports the same
    site-wide figures (take one, or `max`, never the sum, across servers). It costs two counts that read
    only indexes (ix_jobs_state for the jobs by state, ix_job_events_kind for the releases in the jobs'
    trails): linear in the site's history, about 15 ms for 100,000 jobs (BENCHMARKS.md, web pages), fine
    for a scrape every 30 s or more. A database that does not answer is `printrelease_database_up 0`,
    not a failed scrape, so that the latencies still arrive.
    """

    def __init__(self, sessions):
        self.sessions = sessions

    def collect(self):
        up = GaugeMetricFamily("printrelease_database_up", "1 if the database answered this scrape's queries")
        try:
            with self.sessions() as session:
                by_state = dict(session.execute(select(Job.state, func.count()).group_by(Job.state)).all())
                releases = session.scalar(select(func.count()).select_from(JobEvent).where(JobEvent.kind == "sent"))
        except DBAPIError as error:
            log.error("metrics: the database did not answer: %s", str(error.orig).splitlines()[0][:200])
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield GaugeMetricFamily("printrelease_jobs_held", "Jobs held now, waiting for their owners (the site)",
                                value=by_state.get(JobState.HELD, 0))
        yield GaugeMetricFamily("printrelease_jobs_lost", "Jobs CUPS forgot before they ended, waiting for a person "
                                "to resolve them (the site)", value=by_state.get(JobState.LOST, 0))
        captured = sum(count for state, count in by_state.items() if state is not JobState.REJECTED)
        yield CounterMetricFamily("printrelease_jobs_captured", "Jobs captured and held (the site)", value=captured)
        yield CounterMetricFamily("printrelease_jobs_released", "Jobs sent to a printer; a job held again and "
                                  "released once more counts twice (the site)", value=releases)
        for state, (name, words) in FINAL.items():
            yield CounterMetricFamily(f"printrelease_jobs_{name}", f"{words} (the site)", value=by_state.get(state, 0))


def multiprocess_dir() -> str | None:
    return os.environ.get(MULTIPROCESS) or None


def exposition(sessions) -> bytes:
    """The text a scrape gets: a registry made for it, so that nothing of one scrape stays for the next."""
    registry = CollectorRegistry()
    if multiprocess_dir():
        MultiProcessCollector(registry)
    else:
        for collector in OWN:
            registry.register(collector)
    registry.register(SiteCollector(sessions))
    return generate_latest(registry)


def start_recording() -> None:
    metrics.install(RECORDER)
