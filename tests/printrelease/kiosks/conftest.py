"""A "choose" station with two card holders, and the tap service in front of a fake CUPS."""

import pytest

from printrelease.accounts.service import add_user
from printrelease.cards.service import add_card
from printrelease.printers.models import Printer
from printrelease.printing import QueueInfo
from printrelease.release.service import Releaser
from printrelease.stations.service import TapService, add_station
from tests.fakes import FakePrintServer

KEY = b"test-card-key"


@pytest.fixture
def server():
    return FakePrintServer([QueueInfo("dept-a")])


@pytest.fixture
def station(runtime):
    """reader-a ("choose") beside dept-a (3층 복도); 김성렬 has card 04A1B2C3, 이지영 04A1B2C4. Its id."""
    with runtime.sessions.begin() as session:
        session.add(Printer(name="dept-a", cups_server="fake:631", cups_queue="dept-a", location="3층 복도"))
        session.flush()
        add_user(session, "kimsr", "김성렬")
        add_user(session, "leejy", "이지영")
        add_card(session, KEY, "kimsr", "04A1B2C3")
        add_card(session, KEY, "leejy", "04A1B2C4")
        return add_station(session, "reader-a", "dept-a", release_mode="choose")[0].id


@pytest.fixture
def taps(runtime, server):
    return TapService(runtime.sessions, Releaser(runtime.sessions, runtime.spool, lambda _: server), KEY)
