"""A PostgreSQL server of a test's own, which the test may restart (the machine's shared one it must not)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from sqlalchemy import create_engine, text

from printrelease import db
from sandbox.cupsd import free_port


def _bindir() -> Path:
    """The newest installed PostgreSQL's programs."""
    return max(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: [int(x) for x in p.parent.name.split(".")])


class PrivatePostgres:
    """initdb in a temporary folder the postgres account owns, trust authentication on a loopback port."""

    def __init__(self):
        # /var/tmp, not the test's tmp_path: the postgres account cannot enter pytest's 0700 folders.
        self.folder = Path(tempfile.mkdtemp(prefix="printrelease-pg-", dir="/var/tmp"))
        shutil.chown(self.folder, "postgres")
        self.port = free_port()

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/printrelease"

    def _pg_ctl(self, *args: str) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1"
        subprocess.run(["su", "postgres", "-c", f"{_bindir() / 'pg_ctl'} -D {self.folder / 'data'} -l "
                        f"{self.folder / 'log'} -o '{options}' -w {' '.join(args)}"], check=True, capture_output=True)

    def start(self) -> "PrivatePostgres":
        initdb = f"{_bindir() / 'initdb'} -A trust -U postgres -D {self.folder / 'data'}"
        subprocess.run(["su", "postgres", "-c", initdb], check=True, capture_output=True)
        self._pg_ctl("start")
        admin = create_engine(self.url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text("CREATE DATABASE printrelease ENCODING 'UTF8' TEMPLATE template0"))
        admin.dispose()
        db.upgrade(self.url)
        return self

    def restart(self) -> None:
        """A fast restart: every connection is cut, as in a crash or a failover."""
        self._pg_ctl("restart", "-m", "fast")

    def stop(self) -> None:
        self._pg_ctl("stop", "-m", "immediate")
        shutil.rmtree(self.folder, ignore_errors=True)
