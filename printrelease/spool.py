"""Document bytes on disk, outside the database: atomic writes, streamed hashing, verified reads."""

from __future__ import annotations

import hashlib
import os
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Iterable

from printrelease.errors import Invalid, PrintReleaseError
from printrelease.i18n import N_

CHUNK = 1024 * 1024
TEMPORARY_MAX_AGE = 3600.0  # seconds; no upload stays unfinished that long without writing


class DocumentTooLarge(Invalid):
    code = "document_too_large"
    template = N_("document is larger than the limit of %(limit)s bytes")

    def __init__(self, limit: int):
        super().__init__(limit=limit)
        self.limit = limit


class IncompleteUpload(PrintReleaseError):
    """The body ended before the length it declared: the sender went away; nothing is kept."""

    code = "incomplete_upload"
    template = N_("the upload ended after %(received)s of %(declared)s bytes")

    def __init__(self, received: int, declared: int):
        super().__init__(received=received, declared=declared)


class SpoolDamaged(PrintReleaseError):
    """The stored bytes are missing or no longer match the hash taken at capture."""

    code = "spool_damaged"


@dataclass(frozen=True)
class StoredDocument:
    key: str
    size: int
    sha256: str


class PendingDocument:
    """Bytes written to a temporary file; `commit` makes them visible under their key, `discard` drops them."""

    def __init__(self, spool: "Spool", path: Path, size: int, sha256: str):
        self.spool, self.path, self.size, self.sha256 = spool, path, size, sha256
        self.key = uuid.uuid4().hex

    def commit(self) -> StoredDocument:
        final = self.spool.path_for(self.key)
        # A fresh time stamp: the orphan sweep spares files younger than a minute, and a large
        # document's last write may be older than that by the time its row is written.
        os.utime(self.path)
        os.rename(self.path, final)
        self.spool.sync_dir()
        return StoredDocument(self.key, self.size, self.sha256)

    def discard(self) -> None:
        self.path.unlink(missing_ok=True)


class Spool:
    def __init__(self, root: Path):
        self.root = Path(root)
        self.tmp = self.root / "tmp"
        self.tmp.mkdir(parents=True, exist_ok=True)
        os.chmod(self.root, 0o700)

    def path_for(self, key: str) -> Path:
        if not key or not key.isalnum():
            raise ValueError(f"bad spool key {key!r}")
        return self.root / f"{key}.spool"

    def receive(self, chunks: Iterable[bytes] | BinaryIO, max_bytes: int,
                expected: int | None = None) -> PendingDocument:
        """Write a stream to a temporary file, hashing as it goes; memory use is one chunk. With `expected`
        (a declared length), a stream that ends short of it raises IncompleteUpload."""
        if hasattr(chunks, "read"):
            stream = chunks
            chunks = iter(lambda: stream.read(CHUNK), b"")
        digest = hashlib.sha256()
        size = 0
        path = self.tmp / f"{uuid.uuid4().hex}.part"
        try:
            with open(path, "wb") as out:
                for chunk in chunks:
                    size += len(chunk)
                    if size > max_bytes:
                        raise DocumentTooLarge(max_bytes)
                    digest.update(chunk)
                    out.write(chunk)
                if expected is not None and size != expected:
                    raise IncompleteUpload(size, expected)
                out.flush()
                os.fsync(out.fileno())
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        return PendingDocument(self, path, size, digest.hexdigest())

    def open_verified(self, key: str, sha256: str) -> Path:
        """Check the bytes against their capture hash and return the path to print from."""
        path = self.path_for(key)
        digest = hashlib.sha256()
        try:
            with open(path, "rb") as stream:
                for chunk in iter(lambda: stream.read(CHUNK), b""):
                    digest.update(chunk)
        except FileNotFoundError:
            raise SpoolDamaged(N_("the document file %(file)s is missing from the spool"), file=path.name) from None
        if digest.hexdigest() != sha256:
            raise SpoolDamaged(N_("the document file %(file)s no longer matches its checksum"), file=path.name)
        return path

    def thumbnail_path(self, key: str) -> Path:
        """Where the picture of the document's first page is cached: beside it, and deleted with it."""
        return self.path_for(key).with_suffix(".thumb.png")

    def delete(self, key: str | None) -> None:
        if key:
            self.path_for(key).unlink(missing_ok=True)
            self.thumbnail_path(key).unlink(missing_ok=True)

    def keys(self) -> set[str]:
        return {p.stem for p in self.root.glob("*.spool")}

    def sweep_thumbnails(self) -> int:
        """Remove cached pictures whose document is gone (one drawn while its job was being deleted)."""
        documents, removed = self.keys(), 0
        for path in self.root.glob("*.thumb.png"):
            if path.name.split(".")[0] not in documents:
                path.unlink(missing_ok=True)
                removed += 1
        return removed

    def sweep_temporary(self, max_age: float = TEMPORARY_MAX_AGE) -> int:
        """Remove temporary files not written to for `max_age` seconds (left by a process killed mid-upload)."""
        removed, now = 0, time.time()
        for path in self.tmp.iterdir():
            try:
                if now - path.stat().st_mtime > max_age:
                    path.unlink()
                    removed += 1
            except FileNotFoundError:
                pass  # finished or discarded meanwhile
        return removed

    def sync_dir(self) -> None:
        fd = os.open(self.root, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
