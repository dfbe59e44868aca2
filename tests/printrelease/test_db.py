"""The database helpers: one server process at a time runs a periodic task, on PostgreSQL and on SQLite."""

import subprocess
import sys
import threading

from sqlalchemy import create_engine, text

from printrelease.accounts.models import User
from printrelease.db import exclusive, make_engine, make_session_factory
from printrelease.jobs.models import Job
from tests.conftest import fresh_database
from tests.waiting import wait_until


def test_a_task_runs_in_one_process_at_a_time(database_url):
    first, second = make_engine(database_url), create_engine(database_url)
    try:
        with exclusive(first, "follow") as mine:
            assert mine
            seen = []

            def elsewhere():
                with exclusive(second, "follow") as theirs:
                    seen.append(theirs)

            other = threading.Thread(target=elsewhere)
            other.start()
            other.join(10)
            with exclusive(second, "expire") as theirs:
                assert theirs, "other tasks are not held up"
            assert seen == [False], "the same task elsewhere waits for its turn"
        with exclusive(second, "follow") as mine_now:
            assert mine_now, "and runs once the first has finished"
    finally:
        first.dispose()
        second.dispose()


# A server process that stops dead while it holds a task and a job's row: it took the task's lock and
# updated the row inside a transaction, said so, and stopped itself.
_HANGS = """
import os, signal, sys
from sqlalchemy import text
from printrelease.db import exclusive, make_engine

engine = make_engine(sys.argv[1], idle_transaction_seconds=1)
with exclusive(engine, "recovered") as mine, engine.connect() as connection:
    connection.execute(text("UPDATE jobs SET title = 'mine' WHERE id = 1"))
    print("held" if mine else "lost", flush=True)
    os.kill(os.getpid(), signal.SIGSTOP)
"""


def test_a_stopped_process_lets_go_of_its_task_and_its_rows(request, tmp_path):
    url = fresh_database(request, "postgresql", tmp_path)
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    with sessions.begin() as session:
        owner = User(login="hanged", display_name="멈춘 서버")
        session.add(owner)
        session.flush()
        session.add(Job(id=1, owner_id=owner.id, title="t", storage_key="k", sha256="0" * 64, size=1))
    child = subprocess.Popen([sys.executable, "-c", _HANGS, url], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "held"
        wait_until(lambda: child_stopped(child.pid), timeout=10, what="the child to stop")

        def ours():
            with exclusive(engine, "recovered") as mine:
                return mine

        wait_until(ours, timeout=20, interval=0.2, what="the stopped process's task lock to go")
        with engine.begin() as connection:  # would wait for ever on the stopped process's row lock
            assert connection.execute(text("UPDATE jobs SET title = 'recovered' WHERE id = 1")).rowcount == 1
    finally:
        child.kill()
        child.wait(10)
        engine.dispose()


def child_stopped(pid: int) -> bool:
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().rsplit(")", 1)[1].split()[0] == "T"


_HOLDS = """
import os, signal, sys
from printrelease.db import exclusive, make_engine

with exclusive(make_engine(sys.argv[1]), "follow") as mine:
    print("held" if mine else "lost", flush=True)
    os.kill(os.getpid(), signal.SIGSTOP)
"""


def test_on_sqlite_a_task_held_by_another_process_waits_until_that_process_is_gone(request, tmp_path):
    """The workers of one server on SQLite: the lock is the kernel's, so it goes with the process that
    held it, however that process ended."""
    url = fresh_database(request, "sqlite", tmp_path)
    engine = make_engine(url)
    child = subprocess.Popen([sys.executable, "-c", _HOLDS, url], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "held"
        with exclusive(engine, "follow") as mine:
            assert not mine, "the stopped process still holds it"
        with exclusive(engine, "expire") as mine:
            assert mine, "another task is not held up"
        child.kill()
        child.wait(10)
        with exclusive(engine, "follow") as mine:
            assert mine, "killed: the task is free"
        lock = next(tmp_path.rglob("*-task-*.lock"))
        assert lock.stat().st_mode & 0o777 == 0o600
    finally:
        child.kill()
        child.wait(10)
        engine.dispose()
