"""Keys nobody configured are made once per data folder, kept private, and never a known value."""

import stat
import threading

from printrelease.config import Settings
from printrelease.keys import load_or_create_key
from printrelease.runtime import Runtime


def test_a_key_is_made_once_and_kept_private(tmp_path):
    path = tmp_path / "keys" / "card_key"
    first = load_or_create_key(path)
    assert len(first) == 64 and load_or_create_key(path) == first
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_processes_racing_to_make_a_key_agree_on_one(tmp_path):
    path, keys = tmp_path / "secret_key", []
    threads = [threading.Thread(target=lambda: keys.append(load_or_create_key(path))) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(keys)) == 1 and list(tmp_path.iterdir()) == [path]


def test_configured_keys_win_and_unset_ones_differ_per_site(tmp_path):
    configured = Runtime(Settings(data_dir=tmp_path / "a", card_key="k" * 40, secret_key="s" * 40))
    assert configured.card_key == b"k" * 40 and configured.secret_key == "s" * 40
    assert not (tmp_path / "a" / "keys").exists()
    one, two = Runtime(Settings(data_dir=tmp_path / "b")), Runtime(Settings(data_dir=tmp_path / "c"))
    assert one.card_key != two.card_key and one.secret_key != two.secret_key
    assert Runtime(Settings(data_dir=tmp_path / "b")).card_key == one.card_key


def test_the_sqlite_database_and_its_wal_are_private(tmp_path):
    import os

    from sqlalchemy import text

    from printrelease.db import make_engine

    old = os.umask(0o022)
    try:
        engine = make_engine(f"sqlite:///{tmp_path / 'printrelease.sqlite3'}")
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE t (x)"))
            connection.execute(text("INSERT INTO t VALUES (1)"))
            files = sorted(p.name for p in tmp_path.iterdir())
            assert files == ["printrelease.sqlite3", "printrelease.sqlite3-shm", "printrelease.sqlite3-wal"]
            assert {p.stat().st_mode & 0o777 for p in tmp_path.iterdir()} == {0o600}
        engine.dispose()
        (tmp_path / "printrelease.sqlite3").chmod(0o644)  # made by an older version
        make_engine(f"sqlite:///{tmp_path / 'printrelease.sqlite3'}").dispose()
        assert (tmp_path / "printrelease.sqlite3").stat().st_mode & 0o777 == 0o600
    finally:
        os.umask(old)
