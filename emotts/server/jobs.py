"""The bounded job queue: synthesis runs in a worker pool, never on the event loop.

Synthesis is CPU-bound (and releases the GIL inside onnxruntime/torch), so a fixed pool of
worker threads runs it while the event loop keeps answering. At most ``workers`` jobs run and
``max_waiting`` wait; a request beyond that is refused at once (429 with Retry-After) rather
than left waiting for minutes.
"""

from __future__ import annotations

import asyncio
import math
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")
# Until a job has finished there is no measured job time; assume this many seconds.
_FIRST_GUESS_S = 1.0
# Weight of the newest job in the running mean of job times.
_SMOOTHING = 0.2


class QueueFull(Exception):
    """Every worker is busy and the waiting line is full."""

    def __init__(self, retry_after: int, capacity: int) -> None:
        super().__init__(
            f"the server is busy: {capacity} jobs are running or waiting, the most it takes; "
            f"retry after {retry_after} s"
        )
        self.retry_after = retry_after


@dataclass(frozen=True)
class QueueLimits:
    """workers: jobs that run at once; max_waiting: jobs admitted to wait for a worker."""

    workers: int = 1
    max_waiting: int = 16

    def __post_init__(self) -> None:
        if self.workers < 1 or self.max_waiting < 0:
            raise ValueError(
                f"workers must be >= 1 and max_waiting >= 0; got {self.workers}, {self.max_waiting}"
            )


class JobQueue:
    """Admit or refuse jobs, run admitted ones on the worker pool, keep a mean job time."""

    def __init__(self, limits: QueueLimits) -> None:
        self.limits = limits
        self.capacity = limits.workers + limits.max_waiting
        self._executor = ThreadPoolExecutor(limits.workers, thread_name_prefix="emotts-synth")
        self._lock = threading.Lock()
        self._admitted = 0
        self._mean_job_s = _FIRST_GUESS_S

    @property
    def admitted(self) -> int:
        """Jobs running or waiting now."""
        return self._admitted

    def retry_after(self) -> int:
        """Seconds until a slot is likely free: one mean job time shared by the workers."""
        return max(1, math.ceil(self._mean_job_s / self.limits.workers))

    def admit(self) -> Admission:
        """Take a slot or raise `QueueFull`; release it with `Admission.release` (idempotent)."""
        with self._lock:
            if self._admitted >= self.capacity:
                raise QueueFull(self.retry_after(), self.capacity)
            self._admitted += 1
        return Admission(self)

    def _release(self, seconds: float | None) -> None:
        with self._lock:
            self._admitted -= 1
            if seconds is not None:
                self._mean_job_s += _SMOOTHING * (seconds - self._mean_job_s)

    async def run(self, admission: Admission, job: Callable[[], T]) -> T:
        """Run ``job`` on a worker, release the slot when it ends (or fails)."""
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._executor, admission.timed(job))
        finally:
            admission.release()

    def submit(self, admission: Admission, job: Callable[[], None]) -> None:
        """Start ``job`` on a worker without waiting; the slot is released when it ends."""

        def run_and_release() -> None:
            try:
                admission.timed(job)()
            finally:
                admission.release()

        self._executor.submit(run_and_release)

    def shutdown(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


class Admission:
    """One admitted job's slot in the queue."""

    def __init__(self, queue: JobQueue) -> None:
        self._queue = queue
        self._released = False
        self._seconds: float | None = None

    def timed(self, job: Callable[[], T]) -> Callable[[], T]:
        """Wrap ``job`` so its run time (not its wait) feeds the queue's mean job time."""

        def wrapper() -> T:
            start = time.perf_counter()
            try:
                return job()
            finally:
                self._seconds = time.perf_counter() - start

        return wrapper

    def release(self) -> None:
        if not self._released:
            self._released = True
            self._queue._release(self._seconds)
