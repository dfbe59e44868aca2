"""Attacks on db.exclusive() on SQLite: the per-task flock beside the database file that the workers share."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import pytest

from printrelease.db import exclusive, make_engine
from tests.conftest import fresh_database

# Holds the task "follow" in another process until its stdin closes, and says whether it got it.
_HOLD = """
import sys
from printrelease.db import exclusive, make_engine

with exclusive(make_engine(sys.argv[1]), "follow") as mine:
    print("held" if mine else "lost", flush=True)
    sys.stdin.read()
"""


class Holder:
    """Another process (a second worker) that holds the task `follow` for as long as it is open."""

    def __init__(self, url: str):
        self.process = subprocess.Popen([sys.executable, "-c", _HOLD, url], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, text=True)
        self.said = self.process.stdout.readline().strip()

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(10)


def runs_here(url: str, name: str = "follow") -> bool:
    engine = make_engine(url)
    try:
        with exclusive(engine, name) as mine:
            return mine
    finally:
        engine.dispose()


@pytest.fixture
def sqlite_file(request, tmp_path) -> Path:
    url = fresh_database(request, "sqlite", tmp_path / "db")
    return Path(url.removeprefix("sqlite:///"))


def test_a_uri_database_on_disk_runs_each_task_in_one_process_only(sqlite_file):
    """`sqlite:///file:/path?mode=rwc&uri=true` names the same file on disk as `sqlite:////path`; the lock
    takes every `file:` name for a database in memory and lets every worker run every task at once."""
    url = f"sqlite:///file:{sqlite_file}?mode=rwc&uri=true"
    holder = Holder(url)
    try:
        assert holder.said == "held"
        assert not runs_here(url), "a second worker ran the task the first still holds"
    finally:
        holder.close()


def test_a_relative_path_takes_the_same_lock_as_the_absolute_one(sqlite_file, monkeypatch):
    monkeypatch.chdir(sqlite_file.parent)
    holder = Holder(f"sqlite:///{sqlite_file}")
    try:
        assert holder.said == "held"
        assert not runs_here(f"sqlite:///{sqlite_file.name}")
    finally:
        holder.close()
    assert runs_here(f"sqlite:///{sqlite_file.name}")


def test_two_threads_of_one_process_never_hold_a_task_at_once(sqlite_file):
    url = f"sqlite:///{sqlite_file}"
    engine = make_engine(url)
    start, inside, counts = threading.Barrier(8), threading.Lock(), {"now": 0, "most": 0, "won": 0}

    def worker():
        start.wait()
        for _ in range(200):
            with exclusive(engine, "expire") as mine:
                if mine:
                    with inside:
                        counts["now"] += 1
                        counts["won"] += 1
                        counts["most"] = max(counts["most"], counts["now"])
                    with inside:
                        counts["now"] -= 1

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    engine.dispose()
    assert counts["most"] == 1 and counts["won"] > 0


def test_an_exception_inside_the_block_lets_go_of_the_task(sqlite_file):
    url = f"sqlite:///{sqlite_file}"
    engine = make_engine(url)
    with pytest.raises(ZeroDivisionError):
        with exclusive(engine, "follow") as mine:
            assert mine
            1 / 0
    assert runs_here(url)
    engine.dispose()
    assert len(os.listdir(f"/proc/{os.getpid()}/fd")) < 200, "no descriptor left open"


def test_a_program_the_holder_starts_does_not_keep_the_task_after_the_holder_lets_go(sqlite_file):
    """CUPS filters, converters and page-counting workers are started from worker processes: exec'd
    children must not inherit the lock (O_CLOEXEC)."""
    url = f"sqlite:///{sqlite_file}"
    engine = make_engine(url)
    with exclusive(engine, "follow") as mine:
        assert mine
        child = subprocess.Popen(["sleep", "30"], close_fds=False)
    try:
        assert runs_here(url), "the sleeping child kept the task"
    finally:
        child.kill()
        child.wait()
        engine.dispose()


def test_a_task_lock_file_made_wide_before_is_narrowed(sqlite_file):
    """The database, its WAL and shared memory are narrowed to 0600 if found wider: a lock file another
    user can open lets that user hold every periodic task for ever (nothing expires, nothing is recovered)."""
    url = f"sqlite:///{sqlite_file}"
    assert runs_here(url)
    (lock,) = sqlite_file.parent.glob("*-task-*.lock")
    os.chmod(lock, 0o666)
    assert runs_here(url)
    assert lock.stat().st_mode & 0o777 == 0o600, oct(lock.stat().st_mode)


def test_a_task_lock_planted_as_a_symlink_is_not_followed(sqlite_file, tmp_path):
    url = f"sqlite:///{sqlite_file}"
    assert runs_here(url)
    (lock,) = sqlite_file.parent.glob("*-task-*.lock")
    lock.unlink()
    target = tmp_path / "elsewhere" / "created-through-the-link"
    target.parent.mkdir()
    lock.symlink_to(target)
    try:
        runs_here(url)
    except OSError:  # refused (the sweeper logs it): the link is not followed
        pass
    assert not target.exists(), "opening the lock created a file where the link pointed"


def as_service_user(url: str, name: str) -> str:
    """Whether `name` runs in a process of the service's own user (nobody here), forked from this one."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        try:
            os.setgid(65534)
            os.setuid(65534)
            engine = make_engine(url)
            with exclusive(engine, name) as mine:
                said = "ran" if mine else "skipped"
        except BaseException as error:  # noqa: BLE001 - said to the parent
            said = f"failed: {error!r}"
        os.write(write, said.encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as answer:
        said = answer.read()
    os.waitpid(pid, 0)
    return said


def test_the_service_user_still_sweeps_after_root_ran_the_server_once():
    """An administrator tries `sudo printrelease serve` once, then gives the folder back to the service's
    user (chown -R): the database works for it, but each task's lock file is root's, mode 0600, and the
    sweeper (which logs OSError as a warning and goes on) never runs a task again: nothing expires, no
    release is recovered or followed, no queue is resumed. (Needs root, as this suite runs.)"""
    folder = Path(tempfile.mkdtemp(prefix="printrelease-attack-", dir="/tmp"))
    try:
        database = folder / "printrelease.sqlite3"
        url = f"sqlite:///{database}"
        from printrelease import db

        db.upgrade(url)
        assert runs_here(url, "expired")  # root, once
        for path in [folder, *folder.iterdir()]:
            os.chown(path, 65534, 65534, follow_symlinks=False)  # chown -R printrelease: the database...
        (lock,) = folder.glob("*-task-*.lock")
        os.chown(lock, 0, 0)  # ...but say the lock was made after (or chown -R missed it): it stays root's
        assert as_service_user(url, "forgotten login attempts") == "ran", "a fresh task runs"
        assert as_service_user(url, "expired") == "ran"
    finally:
        subprocess.run(["rm", "-rf", str(folder)], check=True)
