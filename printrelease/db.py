"""Database engine, declarative base and Alembic upgrade; no global session, callers own transactions."""

from __future__ import annotations

import fcntl
import logging
import os
import zlib
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator
from urllib.parse import unquote, urlsplit

from sqlalchemy import DateTime, Engine, create_engine, event, make_url, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

# Row ids are integers as PostgreSQL stores them (SQLite's are wider): a larger number names no row, and
# the edges say so instead of overflowing inside SQL.
MAX_ID = 2**31 - 1


log = logging.getLogger(__name__)

READING = "printrelease_reading"  # the execution option of connections that only read
RELAXED = "printrelease_relaxed"  # ... of transactions whose commit need not wait for the disk (`relaxed`)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def database_now(session) -> datetime:
    """Now by the database's clock, for times that several servers compare (release leases).

    Servers on several machines share one PostgreSQL, and their own clocks differ: one running ahead
    would take over its peers' live leases. SQLite serves one server, whose workers share its host's clock.
    """
    if session.get_bind().dialect.name == "postgresql":
        return session.scalar(text("SELECT statement_timestamp()"))
    return utcnow()


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on every backend; SQLite would otherwise hand back naive ones."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None:
            if value.tzinfo is None:
                raise ValueError("naive datetime given to a UTC column")
            value = value.astimezone(timezone.utc)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime()}


def _sqlite_pragmas(dbapi_connection, record) -> None:
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    # WAL lets the capture server write while releasers and reports read.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")  # a commit waits for the disk, unless `relaxed`
    record.info["synchronous"] = "FULL"
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _private_sqlite_file(path: Path) -> None:
    """Create the database file readable by its owner only, and narrow one made wider before: SQLite gives
    its WAL and shared-memory files the database file's mode, so they are private too."""
    path.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            if file.stat().st_mode & 0o077:
                os.chmod(file, 0o600)
        except FileNotFoundError:
            pass


def make_engine(url: str, idle_transaction_seconds: float | None = None) -> Engine:
    """The engine for `url`; on PostgreSQL a session idle inside a transaction for longer than
    `idle_transaction_seconds` is ended by the server (see below)."""
    if url.startswith("sqlite"):
        path = make_url(url).database
        if path and path != ":memory:" and not path.startswith("file:"):
            _private_sqlite_file(Path(path))
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        # pysqlite's own transaction handling breaks SAVEPOINT, so SQLAlchemy emits BEGIN itself (the
        # recipe from its SQLite dialect docs). IMMEDIATE takes the write lock up front: a transaction
        # that reads then writes (claim a job, capture after a duplicate check) would otherwise fail
        # with "database is locked" when it tries to upgrade while another process writes. A reading
        # session (below) begins deferred: WAL lets it read for minutes while everyone else writes.
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    connect_args = {}
    if idle_transaction_seconds:
        # A server process that stops in the middle of a transaction (SIGSTOP, a paused VM, swapping)
        # keeps its row locks for as long as its connection lives, and a peer's recovery of the jobs it
        # held would wait on them for ever. PostgreSQL ends such a session after this long; a live
        # process never idles inside a transaction (it calls CUPS and analyses documents outside them).
        connect_args["options"] = f"-c idle_in_transaction_session_timeout={int(idle_transaction_seconds * 1000)}"
    engine = create_engine(url, pool_pre_ping=True, connect_args=connect_args)
    if idle_transaction_seconds:
        event.listen(engine, "begin", _reading_never_times_out)
    event.listen(engine, "begin", _postgresql_relaxed)
    return engine


def _sqlite_begin(connection) -> None:
    options = connection.get_execution_options()
    # The setting belongs to the connection and outlives a transaction: set it for each one that needs
    # another than the last (outside a transaction, as SQLite requires).
    wanted = "NORMAL" if options.get(RELAXED) else "FULL"
    info = connection.connection.info
    if info.get("synchronous") != wanted:
        connection.exec_driver_sql(f"PRAGMA synchronous={wanted}")
        info["synchronous"] = wanted
    connection.exec_driver_sql("BEGIN" if options.get(READING) else "BEGIN IMMEDIATE")


def _postgresql_relaxed(connection) -> None:
    if connection.get_execution_options().get(RELAXED):
        connection.exec_driver_sql("SET LOCAL synchronous_commit TO OFF")


@contextmanager
def relaxed(sessions: sessionmaker) -> Iterator[Session]:
    """A transaction as `sessions.begin()` gives, whose commit does not wait for the disk: for steps
    whose loss in a power cut (never in a crash of the process) something else makes good.

    A commit waits for its write-ahead log to reach the disk; while another program writes a lot to the
    same disk (cupsd receiving a 200 MB job) that wait grew a tap by half. Both databases write their log
    in commit order, and a commit that waits flushes all of the log before it (SQLite in WAL mode with
    synchronous=FULL, PostgreSQL with synchronous_commit on): a relaxed commit is durable no later
    than the next ordinary one, and a power cut can lose it only with every commit after it. It is
    visible to everyone at once, as any commit is. On PostgreSQL it reaches the disk within
    3 x wal_writer_delay (0.6 s by default) anyway.
    """
    with sessions() as session:
        session.connection(execution_options={RELAXED: True})  # begins the transaction so
        yield session
        session.commit()


def _reading_never_times_out(connection) -> None:
    # A reading session may stream a report to a slow client for minutes, and holds no row locks.
    if connection.get_execution_options().get(READING):
        connection.exec_driver_sql("SET LOCAL idle_in_transaction_session_timeout = 0")


def make_session_factory(engine: Engine) -> sessionmaker:
    return sessionmaker(bind=engine, expire_on_commit=False)


def make_reading_session_factory(engine: Engine) -> sessionmaker:
    """Sessions that only read (a report streamed to a slow client): on SQLite they never take the write
    lock, which a session of `make_session_factory` holds from its first statement; on PostgreSQL their
    transactions are READ ONLY."""
    options = {READING: True}
    if engine.dialect.name == "postgresql":
        options["postgresql_readonly"] = True
    return sessionmaker(bind=engine.execution_options(**options), expire_on_commit=False)


def make_page_session_factory(engine: Engine) -> sessionmaker:
    """Sessions of a web page that only reads, briefly: on SQLite they begin deferred as reading sessions
    do (no write lock, so pages do not queue behind each other and their busy waits); on PostgreSQL,
    where a read takes no lock, plain ones (a reading one costs a round trip more for its timeout)."""
    if engine.dialect.name == "sqlite":
        return make_reading_session_factory(engine)
    return make_session_factory(engine)


@contextmanager
def exclusive(engine: Engine, name: str) -> Iterator[bool]:
    """True inside the block for exactly one of the server processes sharing the database.

    On PostgreSQL a transaction-level advisory lock, in a transaction of its own kept open for the whole
    task: PostgreSQL lets it go when the process dies, and also when it hangs (the engine's
    idle-transaction timeout ends the session), so that a stopped peer cannot stop a task for the whole
    site. A task that outlasts that timeout loses the lock the same way; overlapping runs are safe
    (guarded transitions, claimed report runs), only wasteful. On SQLite, whose server's worker
    processes share one host, a lock on a file beside the database, which the kernel lets go when the
    process holding it dies; a database in memory belongs to one process, where the block always runs.
    """
    if engine.dialect.name == "sqlite":
        with _file_lock(engine, name) as won:
            yield won
        return
    if engine.dialect.name != "postgresql":
        yield True
        return
    key = zlib.crc32(f"printrelease:{name}".encode())
    with engine.connect() as connection:
        won = connection.execute(text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": key}).scalar()
        try:
            yield bool(won)
        finally:
            try:
                connection.rollback()
            except DBAPIError:
                pass  # PostgreSQL ended the session, and the lock with it


@contextmanager
def _file_lock(engine: Engine, name: str) -> Iterator[bool]:
    path = _sqlite_file(engine)
    if path is None:
        yield True
        return
    lock = path.with_name(f"{path.name}-task-{zlib.crc32(name.encode()):08x}.lock")
    # Each call opens the file anew: flock() holds per open file, so threads of one process exclude
    # each other as processes do. Never through a link planted in its place; and narrowed if found
    # wider, as the database's own files are: whoever can open it can hold the task for ever.
    try:
        descriptor = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o600)
    except OSError as error:
        # Someone else's file (root ran the server once), a link: the task runs unlocked, which is safe
        # (guarded transitions, claimed runs) and only wasteful, rather than never again. `printrelease
        # doctor` names the file when the database is in the data folder, as it is by default.
        log.warning("%s: cannot lock %s (%s); running it without the lock", name, lock, error.strerror)
        yield True
        return
    try:
        if os.fstat(descriptor).st_mode & 0o077:
            os.fchmod(descriptor, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            won = True
        except BlockingIOError:
            won = False
        yield won  # closing the file lets go of the lock
    finally:
        os.close(descriptor)


def _sqlite_file(engine: Engine) -> Path | None:
    """The file of an SQLite database (named by its path or by a `file:` URI), or None when in memory."""
    path = engine.url.database
    if path and path.startswith("file:"):
        if engine.url.query.get("mode") == "memory":
            return None
        path = unquote(urlsplit(path).path)
    if not path or path == ":memory:":
        return None
    return Path(path)


def alembic_config(url: str):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", "printrelease:migrations")
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the schema to `revision` from whatever it is, an empty database included."""
    from alembic import command

    import printrelease.models  # noqa: F401  (registers every table on Base.metadata)

    command.upgrade(alembic_config(url), revision)
