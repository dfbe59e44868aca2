"""Attacked through the logs: a server started on a database that was never set up (the data folders of
the CLI and the service apart) says so in one line per task with its remedy, not a traceback every round
that buries the one line worth reading."""

import logging

from printrelease.config import Settings
from printrelease.jobs.colour_runner import ColourRunner
from printrelease.runtime import Runtime
from printrelease.sweeper import sweep_once


def test_housekeeping_on_a_database_never_set_up_is_one_line_per_task_with_its_remedy(tmp_path, caplog):
    runtime = Runtime(Settings(data_dir=tmp_path / "data", cups_server="127.0.0.1:1"))
    try:
        with caplog.at_level(logging.WARNING):
            sweep_once(runtime, poll_printers=True)
            ColourRunner(runtime.sessions, runtime.spool, interval=1).run_once()
    finally:
        runtime.close()
    lines = [r for r in caplog.records if "not set up" in r.getMessage()]
    assert len(lines) >= 5 and all("printrelease db upgrade" in r.getMessage() for r in lines)
    assert [r.getMessage() for r in caplog.records if r.exc_info] == []
    assert not any("[SQL:" in r.getMessage() for r in caplog.records), "no SQL in the log"
