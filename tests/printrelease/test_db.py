"""The database helpers: one server process at a time runs a periodic task on a shared PostgreSQL."""

import threading

from sqlalchemy import create_engine

from printrelease.db import exclusive, make_engine


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
            # SQLite serves one server process, where a task simply runs.
            assert seen == [database_url.startswith("sqlite")], "the same task elsewhere waits for its turn"
        with exclusive(second, "follow") as mine_now:
            assert mine_now, "and runs once the first has finished"
    finally:
        first.dispose()
        second.dispose()
