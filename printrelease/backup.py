"""Backups of a whole site (database, held documents, keys, configuration) and their restore into a
fresh data folder.

The database is copied first and the documents after, so every job in the copy finds its document
unless it left the spool meanwhile (printed, deleted or expired during the backup); such jobs are
named in the manifest. SQLite is copied with its online backup API while the server runs;
PostgreSQL with pg_dump (custom format), restored with pg_restore.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import inspect, select
from sqlalchemy.engine import make_url

from printrelease import __version__
from printrelease.config import ConfigError, read_config
from printrelease.db import upgrade, utcnow
from printrelease.errors import PrintReleaseError
from printrelease.i18n import N_
from printrelease.runtime import Runtime

MANIFEST = "manifest.json"
SQLITE_FILE = "printrelease.sqlite3"
PG_DUMP = "database.pgdump"
CONFIG_COPY = "printrelease.conf"


class BackupProblem(PrintReleaseError):
    code = "backup"


@dataclass
class BackupReport:
    folder: Path
    documents: int = 0
    missing: list[str] = field(default_factory=list)  # documents that left the spool during the backup


def _sqlite_path(url: str) -> Path | None:
    parsed = make_url(url)
    return Path(parsed.database) if parsed.get_backend_name() == "sqlite" else None


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """A libpq connection string for pg_dump/pg_restore, and the environment carrying the password."""
    parsed = make_url(url)
    env = {**os.environ}
    if parsed.password:
        env["PGPASSWORD"] = parsed.password
    plain = parsed.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _sqlite_copy(source: Path, target: Path) -> None:
    """SQLite's online backup: a consistent copy while other connections keep writing."""
    with closing(sqlite3.connect(source)) as reading, closing(sqlite3.connect(target)) as writing:
        reading.backup(writing)


def _run(command: list[str], env: dict[str, str]) -> None:
    try:
        done = subprocess.run(command, capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL)
    except FileNotFoundError:
        raise BackupProblem(N_("%(program)s is missing: apt-get install postgresql-client"),
                            program=command[0]) from None
    if done.returncode != 0:
        raise BackupProblem(N_("%(program)s failed: %(detail)s"), program=command[0],
                            detail=done.stderr.strip()[-500:])


def check_new_folder(folder: Path) -> None:
    """A backup goes into a new (or empty) folder: never over another backup, nor into a folder in use."""
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise BackupProblem(N_("%(folder)s is not empty: back up into a new folder"), folder=str(folder))


def _private_folder(folder: Path) -> None:
    check_new_folder(folder)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(folder, 0o700)  # it holds the keys


def backup(runtime: Runtime, folder: Path) -> BackupReport:
    settings = runtime.settings
    url = settings.effective_database_url
    _private_folder(folder)
    report = BackupReport(folder)
    sqlite_file = _sqlite_path(url)
    if sqlite_file is not None:
        _sqlite_copy(sqlite_file, folder / SQLITE_FILE)
        with closing(sqlite3.connect(folder / SQLITE_FILE)) as copy:
            keys = {row[0] for row in copy.execute("SELECT storage_key FROM jobs WHERE storage_key IS NOT NULL")}
        database = "sqlite"
    else:
        libpq, env = _libpq(url)
        _run(["pg_dump", "--format=custom", "--no-owner", "--file", str(folder / PG_DUMP), libpq], env)
        from printrelease.jobs.models import Job

        with runtime.sessions() as session:
            keys = set(session.scalars(select(Job.storage_key).where(Job.storage_key.is_not(None))))
        database = "postgresql"
    (folder / "spool").mkdir(mode=0o700)
    for key in sorted(keys):
        source = runtime.spool.path_for(key)
        try:
            shutil.copy2(source, folder / "spool" / source.name)
            report.documents += 1
        except FileNotFoundError:
            report.missing.append(key)
    if settings.keys_dir.is_dir():
        shutil.copytree(settings.keys_dir, folder / "keys")
    if settings.config_file is not None:
        shutil.copy2(settings.config_file, folder / CONFIG_COPY)
    manifest = {"version": __version__, "database": database, "created_at": utcnow().isoformat(),
                "documents": report.documents, "left_the_spool_during_backup": report.missing}
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    return report


def _check_keys(runtime: Runtime, folder: Path) -> None:
    """Cards are stored as HMACs under the card key and sessions are signed with the secret key: a restore
    under other keys would leave every card unknown."""
    if not (folder / CONFIG_COPY).exists():
        return
    saved = read_config(folder / CONFIG_COPY)
    for name, current in (("CARD_KEY", runtime.settings.card_key), ("SECRET_KEY", runtime.settings.secret_key)):
        kept = saved.get(f"PRINTRELEASE_{name}")
        if kept and kept != current:
            raise ConfigError(N_("the configuration's PRINTRELEASE_%(name)s differs from the backup's: copy "
                                 "%(file)s over your configuration (or its key lines) first, or the restored "
                                 "cards will not be recognised"), name=name, file=str(folder / CONFIG_COPY))


def _holds_data(runtime: Runtime) -> bool:
    """Whether any table has a row: a database only migrated (as `make install` leaves it) holds nothing."""
    from printrelease.db import Base

    import printrelease.models  # noqa: F401  (registers every table on Base.metadata)

    present = set(inspect(runtime.engine).get_table_names())
    with runtime.engine.connect() as connection:
        return any(connection.execute(select(table.c[0]).limit(1)).first() is not None
                   for table in Base.metadata.sorted_tables if table.name in present)


def restore(runtime: Runtime, folder: Path) -> dict:
    """Restore a backup into the configured, empty data folder and database; returns the manifest."""
    settings = runtime.settings
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
    except PermissionError:
        raise BackupProblem(N_("%(user)s cannot read the backup in %(folder)s: copy it where the service user "
                               "can read it, or make it theirs (chown -R %(user)s: %(folder)s)"),
                            user=settings.service_user or "this user", folder=str(folder)) from None
    except (OSError, ValueError) as error:
        raise BackupProblem(N_("%(folder)s is not a printrelease backup (%(detail)s)"), folder=str(folder),
                            detail=str(error)) from None
    _check_keys(runtime, folder)
    url = settings.effective_database_url
    if runtime.spool.keys() or _holds_data(runtime):
        raise BackupProblem(N_("the data folder or database already holds data: restore into a fresh one (move "
                               "%(folder)s aside, or give an empty database)"), folder=str(settings.data_dir))
    runtime.engine.dispose()
    if manifest["database"] == "sqlite":
        target = _sqlite_path(url)
        if target is None:
            raise BackupProblem(N_("this backup holds an SQLite database; the configuration names %(url)s"),
                                url=make_url(url).render_as_string(hide_password=True))
        _sqlite_copy(folder / SQLITE_FILE, target)
        os.chmod(target, 0o600)
    else:
        libpq, env = _libpq(url)
        # A fresh installation's database is already migrated (make install does it), with no rows: the
        # dump's tables replace its empty ones.
        _run(["pg_restore", "--no-owner", "--exit-on-error", "--clean", "--if-exists", "--dbname", libpq,
              str(folder / PG_DUMP)], env)
    for document in (folder / "spool").glob("*.spool"):
        shutil.copy2(document, settings.spool_dir / document.name)
    if (folder / "keys").is_dir():
        settings.keys_dir.mkdir(mode=0o700, exist_ok=True)
        for key in (folder / "keys").iterdir():
            shutil.copy2(key, settings.keys_dir / key.name)
    runtime.spool.sync_dir()
    upgrade(url)  # a backup from an older version comes up to this one
    return manifest
