"""Attacks on db.relaxed that held: no later transaction inherits the relaxed setting, and none commits."""

import threading

import pytest
from sqlalchemy import event, select, text
from sqlalchemy.exc import OperationalError

from printrelease.accounts.models import User
from printrelease.db import (make_engine, make_page_session_factory, make_reading_session_factory,
                             make_session_factory, relaxed)


def _relaxed(session) -> bool:
    if session.bind.dialect.name == "sqlite":
        return session.execute(text("PRAGMA synchronous")).scalar() == 1
    return session.execute(text("SHOW synchronous_commit")).scalar() == "off"


@pytest.fixture
def engine(database_url):
    engine = make_engine(database_url, idle_transaction_seconds=30)
    yield engine
    engine.dispose()


def test_reading_page_and_savepoint_transactions_after_a_relaxed_one_wait_for_the_disk(engine):
    sessions = make_session_factory(engine)
    for factory in (make_reading_session_factory(engine), make_page_session_factory(engine), sessions):
        with relaxed(sessions) as session:
            with session.begin_nested():
                assert _relaxed(session)
        with factory() as session:
            assert not _relaxed(session)
            with session.begin_nested():
                assert not _relaxed(session)
    with relaxed(sessions) as session:
        session.commit()  # a caller's own commit: what follows in the block is an ordinary transaction
        assert not _relaxed(session)


def test_an_invalidated_connection_and_a_failed_commit_leave_nothing_relaxed_and_nothing_written(engine):
    sessions = make_session_factory(engine)
    with pytest.raises(RuntimeError), relaxed(sessions) as session:
        session.add(User(login="kimsr", display_name="김성렬"))
        session.flush()
        session.connection().invalidate()
        raise RuntimeError("the connection broke")
    with sessions.begin() as session:
        assert not _relaxed(session)
        assert session.scalar(select(User).where(User.login == "kimsr")) is None


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # SQLite's write lock
def test_a_relaxed_transaction_that_cannot_begin_leaves_the_next_one_waiting(database_url, tmp_path):
    import sqlite3

    from sqlalchemy.engine import make_url

    engine = make_engine(database_url)
    event.listen(engine, "connect", lambda dbapi, _: dbapi.execute("PRAGMA busy_timeout=50"))
    sessions = make_session_factory(engine)
    other = sqlite3.connect(make_url(database_url).database, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(OperationalError), relaxed(sessions):
            pass
    finally:
        other.execute("ROLLBACK")
        other.close()
    with sessions.begin() as session:
        assert not _relaxed(session)
    engine.dispose()


def test_threads_mixing_relaxed_and_ordinary_transactions_each_get_their_own(engine):
    sessions, wrong, start = make_session_factory(engine), [], threading.Barrier(6)

    def work(relax: bool):
        start.wait(10)
        for _ in range(50):
            with (relaxed(sessions) if relax else sessions.begin()) as session:
                if _relaxed(session) != relax:
                    wrong.append(relax)

    threads = [threading.Thread(target=work, args=(n % 2 == 0,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert wrong == []


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)  # pre-ping, SET LOCAL
def test_on_postgresql_a_connection_ended_by_the_server_is_replaced_and_set_local_applies_to_the_new_one(
        database_url, engine):
    sessions = make_session_factory(engine)
    with relaxed(sessions) as session:
        pid = session.scalar(text("SELECT pg_backend_pid()"))
    other = make_engine(database_url)
    with other.connect() as killer:
        killer.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    other.dispose()
    with relaxed(sessions) as session:  # the pooled connection is dead: pre-ping makes a new one
        assert session.scalar(text("SELECT pg_backend_pid()")) != pid and _relaxed(session)
        session.add(User(login="leejy", display_name="이지영"))
    with sessions.begin() as session:
        assert not _relaxed(session) and session.scalar(select(User.login)) == "leejy"
