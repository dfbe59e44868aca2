"""Attacked at start: a server on a database never migrated (the CLI and the unit pointing at different
data folders) answered every capture with an error, and one whose data folder it cannot write died with
a traceback, restarted by its unit every 2 seconds for ever. It refuses to start, once, with the remedy
and exit status 78 (which the unit does not restart on)."""

import os
import subprocess
import sys

from sandbox.cupsd import free_port


def serve(tmp_path, **settings):
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("PRINTRELEASE_")}, "PRINTRELEASE_CONFIG": "",
           "PRINTRELEASE_DATA_DIR": str(tmp_path / "data"), "PRINTRELEASE_CUPS_SERVER": "127.0.0.1:1", **settings}
    return subprocess.run([sys.executable, "-m", "printrelease", "serve", "--port", str(free_port())], env=env,
                          capture_output=True, text=True, timeout=120)


def test_a_database_never_migrated_is_refused_at_start(tmp_path):
    done = serve(tmp_path)
    assert done.returncode == 78, done.stderr
    assert "cannot serve" in done.stderr and "printrelease db upgrade" in done.stderr
    assert "Traceback" not in done.stderr and "alembic" not in done.stderr


def test_a_data_folder_the_server_cannot_write_is_refused_at_start(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "spool").write_text("a file where the spool folder belongs\n")
    done = serve(tmp_path)
    assert done.returncode == 78 and "cannot write in" in done.stderr and "chown -R" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
