"""Files and folders that appear complete or not at all: temporary name, fsync, rename.

A file is written under a temporary name in the target's folder (so the rename stays on one
file system and is atomic), flushed to disk, then renamed onto the target, and the folder is
synced so the rename itself survives a power cut. A crash or an error at any point leaves
the target as it was (absent, or its previous complete version) and removes the temporary
file when the process is still alive to do so. Temporary names end in ``.partial`` and start
with a dot, so a reader that lists a folder can tell them apart.

A folder (`atomic_folder`: an exported ONNX voice) is written whole under a temporary
sibling name (``.<name>.<random>.partial``), checked, then swapped with the old one in one
step where Linux allows it (``renameat2(RENAME_EXCHANGE)``), else by two renames (the old
moved aside as ``.<name>.<random>.old``, the new renamed in); the old one is then removed.
`recover_folder`, run before every folder write, finishes what a crash left: the old folder
is put back if it was aside with no folder in its place, and leftovers are removed. So the
target is always the old or the new folder, complete, never a mix.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import hashlib
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

PARTIAL_SUFFIX = ".partial"
#: Suffix of an old folder moved aside while a new one is renamed in (`replace_folder`).
ASIDE_SUFFIX = ".old"
_AT_FDCWD, _RENAME_EXCHANGE = -100, 2


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


def _exchange(first: Path, second: Path) -> bool:
    """Swap two existing paths in one step (Linux ``renameat2(RENAME_EXCHANGE)``); False
    where the system or the file system cannot (the caller then renames twice)."""
    if sys.platform != "linux":
        return False
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):  # no such call in this C library
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p]
    renameat2.argtypes += [ctypes.c_uint]
    names = os.fsencode(first), os.fsencode(second)
    if renameat2(_AT_FDCWD, names[0], _AT_FDCWD, names[1], _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), os.fspath(second))


def _siblings(target: Path, suffix: str) -> list[Path]:
    """Folders beside ``target`` left by an interrupted `replace_folder` (newest first)."""
    found = [
        p
        for p in target.parent.glob(f".{target.name}.*{suffix}")
        if p.is_dir() and not p.is_symlink()
    ]
    return sorted(found, key=lambda p: p.stat().st_mtime, reverse=True)


def recover_folder(target: str | Path) -> list[str]:
    """Finish an interrupted folder write of ``target``; returns what it did, in words.

    No ``target`` but an old one aside: the old one is renamed back (the crash came between
    the two renames). Then every partial or aside folder of ``target`` is removed.
    """
    target = Path(target)
    done = []
    if not target.parent.is_dir():
        return done
    asides = _siblings(target, ASIDE_SUFFIX)
    if asides and not os.path.lexists(target):
        os.rename(asides[0], target)
        sync_folder(target.parent)
        done.append(f"put the previous {target.name} back from {asides[0].name}")
    for leftover in _siblings(target, ASIDE_SUFFIX) + _siblings(target, PARTIAL_SUFFIX):
        shutil.rmtree(leftover)
        done.append(f"removed {leftover.name}")
    return done


def replace_folder(staging: Path, target: Path) -> None:
    """Put the complete folder ``staging`` at ``target``, removing what was there."""
    parent = target.parent
    if not os.path.lexists(target):
        os.rename(staging, target)
        sync_folder(parent)
        return
    if _exchange(staging, target):
        sync_folder(parent)
        shutil.rmtree(staging)  # it holds the old folder now
        return
    aside = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=ASIDE_SUFFIX, dir=parent))
    os.rename(target, aside)  # onto the empty folder just made: the name is ours
    os.rename(staging, target)
    sync_folder(parent)
    shutil.rmtree(aside)


def _sync_tree(folder: Path) -> None:
    """fsync every file in ``folder`` and the folder, so a rename of it publishes data."""
    for path in folder.iterdir():
        if path.is_file():
            with path.open("rb") as stream:
                os.fsync(stream.fileno())
    sync_folder(folder)


@contextlib.contextmanager
def atomic_folder(
    target: str | Path, check: Callable[[Path], None] | None = None
) -> Iterator[Path]:
    """``with atomic_folder(p, check) as folder: write files into folder``: afterwards ``p``
    is the new folder, complete and passed by ``check(folder)`` (which raises to refuse it);
    on any error, or a crash at any point, ``p`` is what it was (see `recover_folder`).

    Raises:
        OSError: the parent folder cannot be created or written, a write fails.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    recover_folder(target)
    staging = Path(
        tempfile.mkdtemp(prefix=f".{target.name}.", suffix=PARTIAL_SUFFIX, dir=target.parent)
    )
    try:
        yield staging
        _sync_tree(staging)
        if check is not None:
            check(staging)
        replace_folder(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
