"""What a training process needs to know when it is one of several (DDP over devices/nodes).

Lightning starts the extra processes itself (``devices: 2``: it re-runs the same command with
``LOCAL_RANK`` set, after the first process has prepared everything), or an outside launcher
starts them all at once (torchrun, SLURM's srun), in which case every process runs the
preparation steps concurrently. Those steps must therefore be safe to run concurrently (the
feature cache build is serialized by a file lock) or done by the first process only.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# Rank variables set by Lightning's launcher, torchrun and SLURM respectively.
_RANK_VARIABLES = ("RANK", "LOCAL_RANK", "NODE_RANK", "SLURM_PROCID")


def is_first_process() -> bool:
    """True unless this process was started as a non-zero rank of a multi-process run."""
    return all(os.environ.get(name, "0") == "0" for name in _RANK_VARIABLES)


def started_by_external_launcher() -> bool:
    """True when torchrun or srun started several processes at once (not Lightning itself)."""
    slurm_tasks = os.environ.get("SLURM_NTASKS", "1")
    return "TORCHELASTIC_RUN_ID" in os.environ or (slurm_tasks.isdigit() and int(slurm_tasks) > 1)


@contextmanager
def exclusive(lock_file: Path) -> Iterator[None]:
    """Hold an advisory lock on ``lock_file`` (created if missing) for the ``with`` block.

    The processes of one run on one node, or on nodes sharing a file system with working
    ``flock``, take turns: the first builds, the others then find the work done.
    """
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_file, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
