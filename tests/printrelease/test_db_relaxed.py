"""Relaxed transactions: committed and seen at once, only not waited for on the disk; every other
transaction still waits for it (SQLite synchronous=FULL, PostgreSQL synchronous_commit on)."""

import pytest
from sqlalchemy import select, text

from printrelease.accounts.models import User
from printrelease.db import make_engine, make_session_factory, relaxed


def _durability(session) -> str:
    if session.bind.dialect.name == "sqlite":
        return {1: "relaxed", 2: "waits"}[session.execute(text("PRAGMA synchronous")).scalar()]
    return {"off": "relaxed", "on": "waits"}[session.execute(text("SHOW synchronous_commit")).scalar()]


@pytest.fixture
def sessions(database_url):
    engine = make_engine(database_url)
    yield make_session_factory(engine)
    engine.dispose()


def test_only_the_relaxed_transaction_skips_the_wait_and_the_next_one_waits_again(sessions):
    with sessions.begin() as session:
        assert _durability(session) == "waits"
    with relaxed(sessions) as session:
        assert _durability(session) == "relaxed"
        session.add(User(login="kimsr", display_name="김성렬"))
        used = session.connection().connection.dbapi_connection
    for _ in range(2):
        with sessions.begin() as session:
            # The pool hands out the same connection again: the relaxed setting did not stay on it.
            assert session.connection().connection.dbapi_connection is used
            assert _durability(session) == "waits"
    with sessions() as elsewhere:  # committed: everyone sees it at once
        assert elsewhere.scalar(select(User.display_name).where(User.login == "kimsr")) == "김성렬"


def test_a_relaxed_transaction_that_fails_writes_nothing(sessions):
    class Broken(Exception):
        pass

    with pytest.raises(Broken), relaxed(sessions) as session:
        session.add(User(login="leejy", display_name="이지영"))
        session.flush()
        raise Broken()
    with sessions() as session:
        assert session.scalar(select(User).where(User.login == "leejy")) is None
        assert _durability(session) == "waits"
