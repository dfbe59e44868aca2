"""Exactly once through real CUPS, pcscd and PostgreSQL: two servers share one database and spool folder,
cards are tapped at two stations at once, and one server is killed with SIGKILL in the middle of a
release, round after round. After every round each job has printed exactly once or is still held."""

import json
import os
import random
import threading
import urllib.error
import urllib.request

import pytest
from sqlalchemy import func, select

from printrelease.jobs.models import Job, JobState
from sandbox.documents import make_pdf
from sandbox.pcsc import DEFAULT_VPCD_PORT, VirtualCard
from tests.conftest import fresh_database
from tests.integration.cluster import Cluster
from tests.integration.conftest import running_stack, wait_until
from tests.integration.readers import Agent

ROUNDS = int(os.environ.get("PRINTRELEASE_SOAK_ROUNDS", "20"))  # `make soak` runs many more
USERS = {"kimsr": "04A1B2C3D4E5F6", "leejy": "04B7C8D9EAFB0C", "parkmh": "8A3F12C4"}


@pytest.fixture(params=["postgresql", "sqlite"])
def cluster(request, cupsd, tmp_path, virtual_readers):
    """Two servers on one database: PostgreSQL, or SQLite as the worker processes of one server share it."""
    url = fresh_database(request, request.param, tmp_path / "data")
    with running_stack(cupsd, tmp_path, url, kind=Cluster) as cluster:
        for login, card in USERS.items():
            cluster.cli("users", "add", login)
            cluster.cli("cards", "add", login, card)
        cluster.agents = [Agent(cluster, f"reader-{x}", f"dept-{x}", f"Virtual PCD 00 0{n}", cluster.servers[x].url)
                          for n, x in enumerate("ab")]
        yield cluster
        for agent in cluster.agents:
            agent.stop()


def in_flight(cluster, since_id: int) -> int:
    """Jobs of this round that a releaser has reached (claimed, sent or printed)."""
    with cluster.runtime.sessions() as session:
        return session.scalar(select(func.count()).select_from(Job).where(
            Job.id > since_id, Job.state.in_([JobState.RELEASING, JobState.SENT, JobState.PRINTED])))


def test_servers_killed_mid_release_print_every_job_exactly_once(cluster, tmp_path):
    seed = int(os.environ.get("PRINTRELEASE_SOAK_SEED", random.randrange(1 << 30)))
    chance = random.Random(seed)
    held_before = 0
    for round_ in range(ROUNDS):
        first_id = max((job.id for job in cluster.jobs()), default=0)
        for login in USERS:
            for n in range(2):
                title = f"{round_}회차 {login} 문서 {n}"
                cluster.lp(make_pdf(tmp_path / f"{round_}-{login}-{n}.pdf", title, pages=1), login, title)
        cluster.wait_jobs(held_before + 2 * len(USERS), JobState.HELD)
        tappers = [list(USERS)[round_ % 3], list(USERS)[(round_ + 1) % 3]]
        victim = cluster.servers[chance.choice("ab")]
        moment = chance.randint(0, 3)  # after how many of the round's jobs were reached
        context = f"seed {seed}, round {round_}: kill server {victim.name} after {moment} job(s)"
        with VirtualCard(USERS[tappers[0]], DEFAULT_VPCD_PORT), VirtualCard(USERS[tappers[1]], DEFAULT_VPCD_PORT + 1):
            if moment:
                wait_until(lambda: in_flight(cluster, first_id) >= moment or cluster.settled() and
                           in_flight(cluster, first_id), timeout=30, interval=0.01, what=context)
            victim.kill()
            answers = [agent.next_answer(timeout=40) for agent in cluster.agents]
        assert all("outcome" in answer for answer in answers), context
        victim.start()
        wait_until(cluster.settled, timeout=60, what=f"every release to end ({context})")
        by_state = cluster.check_exactly_once()
        held_before = by_state[JobState.HELD]
    assert cluster.check_exactly_once()[JobState.PRINTED] > 0


@pytest.fixture
def two_servers(request, cupsd, tmp_path):
    url = fresh_database(request, "postgresql", tmp_path / "data")
    with running_stack(cupsd, tmp_path, url, kind=Cluster) as cluster:
        cluster.cli("users", "add", "kimsr")
        cluster.cli("cards", "add", "kimsr", USERS["kimsr"])
        cluster.tokens = {}
        for name in "ab":
            token_file = tmp_path / f"reader-{name}.token"
            cluster.cli("stations", "add", f"reader-{name}", "--printer", f"dept-{name}", "--token-file",
                        str(token_file))
            cluster.tokens[name] = token_file.read_text().strip()
        yield cluster


def tap(cluster, server: str) -> dict:
    request = urllib.request.Request(
        f"{cluster.servers[server].url}/api/v1/station/tap", data=json.dumps({"card": USERS["kimsr"]}).encode(),
        headers={"Authorization": f"Bearer {cluster.tokens[server]}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.load(response)


def test_a_server_frozen_mid_release_loses_its_jobs_to_the_other_and_prints_nothing_twice(two_servers, tmp_path):
    cluster = two_servers
    for n in range(10):
        cluster.lp(make_pdf(tmp_path / f"{n}.pdf", f"멈춘 서버 {n}", pages=1), "kimsr", f"멈춘 서버 {n}")
    cluster.wait_jobs(10, JobState.HELD)
    frozen = cluster.servers["a"]
    answer = {}

    def first_tap():
        try:
            answer.update(tap(cluster, "a"))
        except (urllib.error.HTTPError, OSError) as error:  # A's database session was ended while it stood
            answer["error"] = error

    first = threading.Thread(target=first_tap, daemon=True)
    first.start()
    wait_until(lambda: cluster.jobs(JobState.RELEASING), timeout=30, interval=0.005, what="a release at A")
    frozen.pause()  # a server that hangs (swapping, a stopped VM) renews no lease, but is not dead
    try:
        wait_until(lambda: not cluster.jobs(JobState.RELEASING), timeout=60,
                   what="the other server to recover what A had claimed")
        again = tap(cluster, "b")  # the user, who saw nothing print at A, tries the next printer
        assert again["outcome"] in ("released", "nothing_to_print"), again
    finally:
        frozen.resume()
    first.join(60)
    wait_until(cluster.settled, timeout=60, what="every release to end")
    by_state = cluster.check_exactly_once()
    assert by_state[JobState.PRINTED] + by_state[JobState.HELD] == 10
