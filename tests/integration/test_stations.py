"""Card taps end to end: lp to the virtual queue, a virtual card on vpcd read through pcscd by the
station agent, the document at the station's printer under the card owner's name."""

import http.cookiejar
import json
import queue
import signal
import time
import urllib.error
import urllib.request

import pytest

from printrelease.jobs.models import JobState
from printrelease.stations.reader import FEEDBACK, Signal
from sandbox.demo import PCSCD_POLL
from sandbox.pcsc import DEFAULT_VPCD_PORT, VirtualCard
from tests.integration.readers import Agent

KIM_UID = "04A1B2C3D4E5F6"


@pytest.fixture
def agents(stack, virtual_readers):
    started = []

    def start(station="reader-a", printer="dept-a", reader="Virtual PCD 00 00"):
        agent = Agent(stack, station, printer, reader)
        started.append(agent)
        return agent

    yield start
    for agent in started:
        agent.stop()


@pytest.fixture
def kim(stack):
    stack.cli("users", "add", "kimsr", "--name", "김성렬", "--department", "budget")
    stack.cli("cards", "add", "kimsr", KIM_UID)


def tap(uid, port=DEFAULT_VPCD_PORT, agent=None, **card_options):
    """Put the card on the reader until the agent has answered, then take it away."""
    with VirtualCard(uid, port, **card_options) as card:
        answer = agent.next_answer() if agent else None
        time.sleep(0.2)  # the feedback APDU follows the answer
    time.sleep(PCSCD_POLL)  # so that pcscd sees the card gone before the next one comes
    return answer, card


def test_print_then_tap_releases_at_the_stations_printer(stack, agents, kim, documents):
    agent = agents()
    stack.lp(documents["pdf"], "kimsr", "예산안 2013.pdf")
    stack.wait_jobs(1, JobState.HELD)
    answer, card = tap(KIM_UID, agent=agent)
    assert (answer["outcome"], answer["display_name"], answer["jobs"], answer["pages"]) == ("released", "김성렬", 1, 3)
    assert bytes(FEEDBACK[Signal.SUCCESS]) in card.apdus
    stack.wait_jobs(1, JobState.PRINTED)
    (printed,) = stack.output("dept-a")
    assert printed.read_bytes() == documents["pdf"].read_bytes()
    assert "user=kimsr" in printed.with_suffix(".info").read_text()


def test_unknown_card_and_nothing_to_print_sound_different(stack, agents, kim):
    agent = agents()
    answer, card = tap("0A0B0C0D", agent=agent)
    assert answer["outcome"] == "unknown_card" and bytes(FEEDBACK[Signal.UNKNOWN]) in card.apdus
    answer, card = tap(KIM_UID, agent=agent)
    assert answer["outcome"] == "nothing_to_print" and bytes(FEEDBACK[Signal.NOTHING]) in card.apdus
    # The owner of the unknown card logs in and claims it (here as the admin would).
    stack.cli("users", "add", "leejy", "--name", "이지영")
    assert "…0C0D now belongs to leejy" in stack.cli("cards", "claim", "leejy", "--station", "reader-a").stdout
    answer, _ = tap("0A0B0C0D", agent=agent)
    assert answer["display_name"] == "이지영"


class Browser:
    """A user's HTTP client of the running server, keeping its session cookie."""

    def __init__(self, url: str):
        self.url = url
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def call(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.url + path, data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        try:
            with self.opener.open(request, timeout=10) as response:
                return response.status, json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"{}")


def test_the_owner_of_an_unknown_card_claims_it_after_logging_in(stack, agents, kim, documents):
    agent = agents()
    answer, _ = tap("0A0B0C0D", agent=agent)
    assert answer["outcome"] == "unknown_card"
    stack.cli("users", "add", "leejy", "--name", "이지영")
    stack.cli("users", "set-password", "leejy", "--password", "이지영의 비밀번호")
    code = answer["claim_code"]
    assert f"claim code {code} for the unknown card …0C0D at station reader-a" in agent.log_path.read_text()
    browser = Browser(stack.url)
    assert browser.call("POST", "/api/v1/session", {"login": "leejy", "password": "이지영의 비밀번호"})[0] == 201
    status, refused = browser.call("POST", "/api/v1/me/cards/claim", {"station": "reader-a"})
    assert status == 400, "a claim without the code is refused"
    status, claimed = browser.call("POST", "/api/v1/me/cards/claim", {"station": "reader-a", "code": code})
    assert status == 201 and claimed == {"last4": "0C0D", "user": "leejy"}
    stack.lp(documents["pdf"], "leejy", "회의록.pdf")
    stack.wait_jobs(1, JobState.HELD)
    answer, _ = tap("0A0B0C0D", agent=agent)
    assert (answer["outcome"], answer["display_name"], answer["jobs"]) == ("released", "이지영", 1)


def test_readers_without_a_buzzer_still_work(stack, agents, kim):
    agent = agents()
    answer, card = tap(KIM_UID, agent=agent, buzzer=False)
    assert answer["outcome"] == "nothing_to_print" and agent.process.poll() is None


def test_a_card_left_on_the_reader_is_one_tap(stack, agents, kim):
    agent = agents()
    with VirtualCard(KIM_UID):
        agent.next_answer()
        time.sleep(3)  # several of the agent's poll rounds
    assert agent.answers.empty()
    tap(KIM_UID, agent=agent)


def test_two_stations_racing_for_one_users_jobs_print_each_once(stack, agents, kim, documents):
    first = agents("reader-a", "dept-a", "Virtual PCD 00 00")
    second = agents("reader-b", "dept-b", "Virtual PCD 00 01")
    for n in range(6):
        stack.lp(documents["pdf"], "kimsr", f"문서 {n}")
    stack.wait_jobs(6, JobState.HELD)
    with VirtualCard(KIM_UID, DEFAULT_VPCD_PORT), VirtualCard(KIM_UID, DEFAULT_VPCD_PORT + 1):
        answers = [first.next_answer(), second.next_answer()]
    assert sum(a["jobs"] for a in answers) == 6
    stack.wait_jobs(6, JobState.PRINTED)
    assert len(stack.output("dept-a")) + len(stack.output("dept-b")) == 6


def test_server_down_during_a_tap(stack, agents, kim, documents):
    agent = agents()
    stack.lp(documents["pdf"], "kimsr", "예산안.pdf")
    stack.wait_jobs(1, JobState.HELD)
    stack.stop_server()
    answer, card = tap(KIM_UID, agent=agent)
    assert answer["outcome"] == "error" and "unreachable" in answer["message"]
    assert bytes(FEEDBACK[Signal.ERROR]) in card.apdus and agent.process.poll() is None
    stack.start_server()
    answer, _ = tap(KIM_UID, agent=agent)
    assert answer["outcome"] == "released"


def test_reader_gone_and_back_with_pcscd_restarting(stack, agents, kim, virtual_readers):
    agent = agents()
    tap(KIM_UID, agent=agent)
    virtual_readers.stop_any()
    time.sleep(2)
    assert agent.process.poll() is None, "the agent must survive pcscd going away"
    virtual_readers.ensure()
    answer = None
    deadline = time.monotonic() + 30
    while answer is None and time.monotonic() < deadline:
        # The agent reconnects on its own schedule; keep presenting the card until it answers.
        with VirtualCard(KIM_UID):
            try:
                answer = agent.next_answer(timeout=3)
            except queue.Empty:
                pass
    if answer is None:
        agent.process.send_signal(signal.SIGUSR1)
        time.sleep(1)
    assert answer is not None and answer["outcome"] == "nothing_to_print", agent.log_path.read_text()[-3000:]
