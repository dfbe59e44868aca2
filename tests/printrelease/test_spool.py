"""Spool: atomic, hashed, bounded-memory writes and verified reads."""

import hashlib
import tracemalloc

import pytest

from printrelease.spool import DocumentTooLarge, Spool, SpoolDamaged


def test_receive_commit_and_verify(tmp_path):
    spool = Spool(tmp_path / "spool")
    pending = spool.receive([b"abc", b"def"], max_bytes=100)
    assert pending.path.parent == spool.tmp
    stored = pending.commit()
    assert stored.sha256 == hashlib.sha256(b"abcdef").hexdigest() and stored.size == 6
    assert spool.open_verified(stored.key, stored.sha256).read_bytes() == b"abcdef"
    assert list(spool.tmp.iterdir()) == []


def test_oversize_leaves_no_file(tmp_path):
    spool = Spool(tmp_path / "spool")
    with pytest.raises(DocumentTooLarge):
        spool.receive([b"x" * 60, b"x" * 60], max_bytes=100)
    assert list(spool.tmp.iterdir()) == [] and spool.keys() == set()


def test_damaged_and_missing_documents_are_detected(tmp_path):
    spool = Spool(tmp_path / "spool")
    stored = spool.receive([b"original"], 100).commit()
    spool.path_for(stored.key).write_bytes(b"tampered")
    with pytest.raises(SpoolDamaged, match="checksum"):
        spool.open_verified(stored.key, stored.sha256)
    spool.delete(stored.key)
    with pytest.raises(SpoolDamaged, match="missing"):
        spool.open_verified(stored.key, stored.sha256)


def test_keys_cannot_escape_the_spool(tmp_path):
    with pytest.raises(ValueError):
        Spool(tmp_path).path_for("../../etc/passwd")


def test_a_large_stream_is_written_in_bounded_memory(tmp_path):
    spool = Spool(tmp_path / "spool")
    chunk = b"\0" * (1 << 20)
    tracemalloc.start()
    pending = spool.receive((chunk for _ in range(64)), max_bytes=1 << 30)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert pending.size == 64 << 20
    assert peak < 8 << 20, f"peak {peak} bytes while spooling 64 MB"


def test_temporary_files_left_behind_are_swept_after_an_hour(tmp_path):
    import os

    spool = Spool(tmp_path / "spool")
    old, fresh = spool.tmp / "left-by-a-killed-upload.part", spool.tmp / "still-uploading.part"
    old.write_bytes(b"half a document")
    fresh.write_bytes(b"a document arriving")
    os.utime(old, (0, 0))
    assert spool.sweep_temporary() == 1
    assert list(spool.tmp.iterdir()) == [fresh]


def test_a_stream_that_ends_short_of_its_declared_length_is_kept_nowhere(tmp_path):
    from printrelease.spool import IncompleteUpload

    spool = Spool(tmp_path / "spool")
    with pytest.raises(IncompleteUpload, match="after 5 of 100 bytes"):
        spool.receive([b"%PDF-"], max_bytes=1000, expected=100)
    assert list(spool.tmp.iterdir()) == [] and spool.keys() == set()
