"""Files that appear complete or not at all: temporary name, fsync, rename.

A file is written under a temporary name in the target's folder (so the rename stays on one
file system and is atomic), flushed to disk, then renamed onto the target, and the folder is
synced so the rename itself survives a power cut. A crash or an error at any point leaves
the target as it was (absent, or its previous complete version) and removes the temporary
file when the process is still alive to do so. Temporary names end in ``.partial`` and start
with a dot, so a reader that lists a folder can tell them apart.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

PARTIAL_SUFFIX = ".partial"


def temporary_name_for(path: Path) -> tuple[int, Path]:
    """An open descriptor and the path of a new temporary file beside ``path``."""
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=PARTIAL_SUFFIX, dir=path.parent)
    return handle, Path(name)


def is_partial_of(candidate: Path, path: Path) -> bool:
    """Whether ``candidate`` is a temporary file left by an interrupted write of ``path``."""
    return candidate.name.startswith(f".{path.name}.") and candidate.name.endswith(PARTIAL_SUFFIX)


def sync_folder(folder: Path) -> None:
    """fsync a folder, so that a rename inside it is on disk (no-op where unsupported)."""
    with contextlib.suppress(OSError):
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


@contextlib.contextmanager
def atomic_file(path: str | Path) -> Iterator[BinaryIO]:
    """``with atomic_file(p) as f: f.write(b"...")``: ``p`` holds all of it, or is untouched.

    Raises:
        OSError: the folder is missing or not writable, or a write fails (e.g. disk full);
            callers turn it into their own error naming the file.
    """
    path = Path(path)
    handle, temp = temporary_name_for(path)
    try:
        with os.fdopen(handle, "wb") as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    sync_folder(path.parent)


def write_bytes_atomically(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through :func:`atomic_file`."""
    with atomic_file(path) as stream:
        stream.write(data)


def file_sha256(path: str | Path) -> str:
    """Hex SHA-256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as stream:
        while block := stream.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()
