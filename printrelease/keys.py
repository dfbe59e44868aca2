"""Secret keys that were not configured: made once, kept in the data folder, readable only by its owner.

A fixed development key would let anyone who read the source forge a web session or recompute card
hashes, so an unset key is never a known one. Several servers sharing one database must be given the
same keys through the environment instead.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def write_private_file(path: Path, text: str) -> None:
    """Write `text` to `path` readable by its owner only (0600), whatever was there before.

    Written to a new file and renamed over the old one: the mode of an existing file (0644, say) is not
    inherited, and nothing else ever sees the secret in a file with a wider mode.
    """
    path = Path(path)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def load_or_create_key(path: Path) -> str:
    """The key stored at `path`, created there first (atomically, mode 0600) if it does not exist."""
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(secrets.token_hex(32) + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    try:
        os.link(temporary, path)  # fails if another process made the key first: theirs wins, for both
    except FileExistsError:
        pass
    finally:
        temporary.unlink()
    return path.read_text().strip()
