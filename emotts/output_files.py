"""Side files (timings and reports as JSON, word subtitles): checked early, written atomically.

Audio has :mod:`emotts.audio.writer`; these are the small text files written beside it. A path
is checked before any synthesis is done (so a typo in a folder name costs nothing), and the
file is written under a temporary name, fsynced and renamed (:mod:`emotts.atomic`): a failure
(a full disk, a crash) leaves no partial file and an existing file as it was.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

from emotts.atomic import write_bytes_atomically
from emotts.errors import AudioError

# errno values that mean "no room": a full disk, a quota, a file size limit.
_NO_SPACE = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}


def check_side_file(path: str | Path, what: str) -> Path:
    """Refuse a path ``what`` (e.g. "--timings") cannot be written to: missing or unwritable
    folder, a folder in the way.

    Raises:
        AudioError: the message names ``what``, the path and the reason.
    """
    path = Path(path)
    folder = path.parent
    if not folder.is_dir():
        raise AudioError(
            f"cannot write {what} {str(path)!r}: folder {str(folder)!r} does not exist"
        )
    if path.is_dir():
        raise AudioError(f"cannot write {what} {str(path)!r}: it is a folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise AudioError(
            f"cannot write {what} {str(path)!r}: folder {str(folder)!r} is not writable"
        )
    return path


def write_side_file(path: str | Path, text: str, what: str) -> Path:
    """Write UTF-8 ``text`` to ``path`` atomically.

    Raises:
        AudioError: the file cannot be written (it names the file and the reason); nothing
            is left behind.
    """
    path = check_side_file(path, what)
    try:
        write_bytes_atomically(path, text.encode("utf-8"))
    except OSError as error:
        hint = "; is the disk full?" if error.errno in _NO_SPACE else ""
        raise AudioError(
            f"cannot write {what} {str(path)!r}: {error.strerror or error}{hint}"
        ) from None
    return path
