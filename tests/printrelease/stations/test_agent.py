"""The station agent's loop with a fake reader and a real HTTP server it talks to (the Flask app)."""

import threading
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest

from printrelease.accounts.pins import hash_pin
from printrelease.accounts.service import get_user
from printrelease.stations.agent import StationAgent, TapClient
from printrelease.stations.reader import ReaderUnavailable, Signal


class FakeCard:
    def __init__(self, uid: bytes, buzzer=True):
        self.uid, self.buzzer, self.signals, self.closed = uid, buzzer, [], False

    def signal(self, signal):
        self.signals.append(signal)
        return self.buzzer

    def close(self):
        self.closed = True


class FakeReader:
    """Hands out scripted events: a card, None (nothing within the timeout) or an exception."""

    name = "fake reader"

    def __init__(self, events, agent_box):
        self.events, self.agent_box = list(events), agent_box

    def wait_for_card(self, timeout):
        if not self.events:
            self.agent_box[0].running = False
            return None
        event = self.events.pop(0)
        if isinstance(event, Exception):
            raise event
        return event


class Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def server_url(app):
    server = make_server("127.0.0.1", 0, app, handler_class=Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def run(events, client, pin_source=None):
    box, answers = [None], []
    agent = StationAgent(FakeReader(events, box), client, pin_source=pin_source, poll=0.01, on_tap=answers.append)
    box[0] = agent
    agent.run_forever()
    return answers


def test_outcomes_become_distinct_signals_and_the_loop_survives_reader_trouble(server_url, station_token):
    known, unknown = FakeCard(bytes.fromhex("04A1B2C3")), FakeCard(bytes.fromhex("0A0B0C0D"))
    answers = run([ReaderUnavailable("unplugged"), None, known, RuntimeError("driver hiccup"), unknown],
                  TapClient(server_url, station_token))
    assert [a["outcome"] for a in answers] == ["nothing_to_print", "unknown_card"]
    assert known.signals == [Signal.NOTHING] and unknown.signals == [Signal.UNKNOWN]
    assert known.closed and unknown.closed


def test_an_unreachable_server_gives_error_feedback(station_token):
    card = FakeCard(bytes.fromhex("04A1B2C3"), buzzer=False)
    (answer,) = run([card], TapClient("http://127.0.0.1:9", station_token, timeout=1))
    assert answer["outcome"] == "error" and "unreachable" in answer["message"]
    assert answer["say"]["ko"].startswith("인쇄 서버에 연결할 수 없습니다")
    assert card.signals == [Signal.ERROR]


def test_a_wrong_token_is_an_error_not_a_crash(server_url, station_token):
    (answer,) = run([FakeCard(bytes.fromhex("04A1B2C3"))], TapClient(server_url, "wrong"))
    assert answer["outcome"] == "error" and "401" in answer["message"]


def test_the_pin_is_asked_for_when_the_server_wants_it(runtime, server_url, station_token):
    with runtime.sessions.begin() as session:
        get_user(session, "kimsr").pin_hash = hash_pin("2468")
    asked = []
    (answer,) = run([FakeCard(bytes.fromhex("04A1B2C3"))], TapClient(server_url, station_token),
                    pin_source=lambda: asked.append(1) or "2468")
    assert asked == [1] and answer["outcome"] == "nothing_to_print"


def test_a_tap_that_timed_out_is_never_sent_again(station_token):
    """The server took the request and went on releasing; the agent says so honestly and does not repost."""
    import socket

    listener = socket.create_server(("127.0.0.1", 0))
    received = []

    def accept_and_stay_silent():
        while len(received) < 2:
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            received.append(connection.recv(65536))

    threading.Thread(target=accept_and_stay_silent, daemon=True).start()
    client = TapClient(f"http://127.0.0.1:{listener.getsockname()[1]}", station_token, timeout=0.5)
    (answer,) = run([FakeCard(bytes.fromhex("04A1B2C3"))], client)
    listener.close()
    assert answer["outcome"] == "timeout" and len(received) == 1
    assert answer["say"]["ko"].startswith("인쇄 서버의 응답이 늦습니다")


def test_a_refused_connection_is_retried_with_the_same_tap_id(monkeypatch, station_token):
    import json
    import urllib.error

    from printrelease.stations import agent

    sent = []

    class Answer:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def read(self, *args):
            return b'{"outcome": "nothing_to_print"}'

    def urlopen(request, timeout):
        sent.append(json.loads(request.data)["id"])
        if len(sent) == 1:
            raise urllib.error.URLError(ConnectionRefusedError(111, "Connection refused"))
        return Answer()

    monkeypatch.setattr(agent.urllib.request, "urlopen", urlopen)
    monkeypatch.setattr(agent.time, "sleep", lambda seconds: None)
    assert TapClient("http://print.example", station_token).post("04A1B2C3")["outcome"] == "nothing_to_print"
    assert len(sent) == 2 and sent[0] == sent[1]
