"""Shared fixtures: databases (SQLite and PostgreSQL), a runtime on them, the Flask app, a private cupsd."""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from printrelease import db
from printrelease.config import Settings
from printrelease.runtime import Runtime
from sandbox.cupsd import PrivateCups
from sandbox.pcsc import VirtualReaderDaemon
from sandbox.slapd import DEMO_PEOPLE, DirectoryUser, PrivateSlapd

POSTGRES_ENV = "PRINTRELEASE_TEST_POSTGRES_URL"


@pytest.fixture(scope="session")
def postgres_server_url() -> str:
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        raise pytest.UsageError(f"{POSTGRES_ENV} is not set: run the suite with `make test`, which finds or "
                                "starts a PostgreSQL server")
    return url


@pytest.fixture(scope="session")
def postgres_database(postgres_server_url):
    """A database of this test session's own, dropped at the end."""
    name = f"printrelease_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(postgres_server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}" ENCODING \'UTF8\' TEMPLATE template0'))
    url = postgres_server_url.rsplit("/", 1)[0] + f"/{name}"
    db.upgrade(url)
    yield url
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _empty_postgres(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        tables = [t for t in db.Base.metadata.sorted_tables]
        names = ", ".join(f'"{t.name}"' for t in tables)
        connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    engine.dispose()


def fresh_database(request, kind: str, folder: Path) -> str:
    """A migrated, empty database: a new SQLite file in `folder`, or the session's PostgreSQL emptied."""
    if kind == "sqlite":
        url = f"sqlite:///{folder / 'printrelease.sqlite3'}"
        db.upgrade(url)
        return url
    url = request.getfixturevalue("postgres_database")
    _empty_postgres(url)
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> str:
    """Each test using this runs twice: on a fresh SQLite file and on an emptied PostgreSQL database."""
    return fresh_database(request, request.param, tmp_path)


@pytest.fixture
def settings(tmp_path, database_url) -> Settings:
    return Settings(data_dir=tmp_path / "data", database_url=database_url, max_job_bytes=5_000_000)


@pytest.fixture
def runtime(settings):
    runtime = Runtime(settings)
    yield runtime
    runtime.close()


@pytest.fixture
def session(runtime):
    with runtime.sessions() as session:
        yield session


@pytest.fixture
def app(runtime):
    from webui import create_app

    return create_app({"TESTING": True}, runtime=runtime)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(runtime):
    """Runs `printrelease` commands in-process against the test runtime's database and spool."""
    from click.testing import CliRunner

    from printrelease.cli import main

    class Runner:
        def invoke(self, *args, **kwargs):
            cli = CliRunner()
            env = {"PRINTRELEASE_DATA_DIR": str(runtime.settings.data_dir),
                   "PRINTRELEASE_DATABASE_URL": runtime.settings.effective_database_url}
            return cli.invoke(main, list(args), env=env, catch_exceptions=False, **kwargs)

    return Runner()


@pytest.fixture
def station_token(runtime) -> str:
    """Station reader-a at printer dept-a (on no reachable CUPS), and 김성렬 with card 04A1B2C3."""
    from printrelease.accounts.service import add_user
    from printrelease.cards.service import add_card
    from printrelease.printers.models import Printer
    from printrelease.stations.service import add_station

    with runtime.sessions.begin() as session:
        session.add(Printer(name="dept-a", cups_server="127.0.0.1:1", cups_queue="dept-a"))
        session.flush()
        add_user(session, "kimsr", "김성렬")
        add_card(session, runtime.card_key, "kimsr", "04A1B2C3")
        return add_station(session, "reader-a", "dept-a")[1]


@pytest.fixture(scope="session")
def cupsd():
    """A private cupsd for the whole session, with two department printers and a discarding queue."""
    root = Path(tempfile.mkdtemp(prefix="printrelease-cups-"))
    os.chmod(root, 0o755)
    server = PrivateCups(root / "cups").start()
    server.output_root = root / "output"
    for name, location in (("dept-a", "3층 기획예산과"), ("dept-b", "5층 민원봉사과")):
        server.add_folder_printer(name, server.output_root / name, location)
    server.add_discard_printer("discard")
    yield server
    server.stop()
    shutil.rmtree(root, ignore_errors=True)


# Beside the demo's people: a login with DN-special characters and one that looks like a filter.
DIRECTORY_PEOPLE = DEMO_PEOPLE + (
    DirectoryUser("lee,jy+x", "lee-ldap-2026", "이지영", "leejy@example.go.kr", "budget", "기획예산과"),
    DirectoryUser("choi*", "choi-ldap-2026", "최민수", department_code="civil", department_name="민원봉사과"),
)


@pytest.fixture(scope="session")
def virtual_readers():
    """pcscd with vsmartcard's two virtual readers ("Virtual PCD 00 00" and "00 01"), one per machine.

    Root-level so that the browser and integration tests share it: two instances would each think
    the other's pcscd is theirs to reuse or kill."""
    folder = Path(tempfile.mkdtemp(prefix="printrelease-pcscd-"))
    daemon = VirtualReaderDaemon(folder)
    yield daemon.ensure()
    daemon.stop()
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def slapd():
    """A private OpenLDAP for the whole session, on a free loopback port, with Korean display names."""
    root = Path(tempfile.mkdtemp(prefix="printrelease-slapd-"))
    server = PrivateSlapd(root, DIRECTORY_PEOPLE).start()
    yield server
    server.stop()
    shutil.rmtree(root, ignore_errors=True)
