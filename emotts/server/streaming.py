"""Streamed speech: a worker synthesizes sentence by sentence, the event loop sends each one.

The first sentence is awaited before the response starts, so a request that fails early (bad
text, an unknown symbol) still gets a 4xx JSON error instead of a broken stream. After that
each sentence's 16-bit PCM goes out as soon as the worker has it. If the client goes away the
worker stops after the sentence in hand.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import AsyncIterator

from fastapi.responses import StreamingResponse

from emotts.server.encoding import pcm16, streaming_wav_header
from emotts.server.jobs import Admission, JobQueue
from emotts.server.speech import RequestLimits, SpeechJob, check_length

log = logging.getLogger("emotts.server")
_END = object()


class _Chunks:
    """A hand-over from one worker thread to the event loop: bytes, an exception, or _END."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._items: asyncio.Queue = asyncio.Queue()
        self.cancelled = threading.Event()

    def put(self, item: object) -> None:
        self._loop.call_soon_threadsafe(self._items.put_nowait, item)

    async def get(self) -> object:
        return await self._items.get()


def _produce(job: SpeechJob, limits: RequestLimits, chunks: _Chunks) -> None:
    """Worker side: run the pipeline's stream() and hand over each sentence's PCM."""
    seconds = 0.0
    try:
        for part in job.voice.synthesizer.stream(job.text, job.emotion, **job.options):
            if chunks.cancelled.is_set():
                return
            seconds += part.duration
            check_length(seconds, limits)
            chunks.put(pcm16(part.samples))
        chunks.put(_END)
    except Exception as error:  # handed to the event loop, which answers or ends the stream
        chunks.put(error)


async def stream_speech(
    queue: JobQueue, admission: Admission, job: SpeechJob, limits: RequestLimits
) -> StreamingResponse:
    """Start the job on a worker; return the response once the first sentence is ready."""
    chunks = _Chunks(asyncio.get_running_loop())
    queue.submit(admission, lambda: _produce(job, limits, chunks))
    first = await chunks.get()
    if isinstance(first, Exception):
        raise first
    sample_rate = job.voice.synthesizer.sample_rate

    async def body() -> AsyncIterator[bytes]:
        try:
            if job.fmt.name == "wav":
                yield streaming_wav_header(sample_rate)
            item = first
            while item is not _END:
                if isinstance(item, Exception):
                    # Headers are sent: the only honest signal left is to cut the stream, so
                    # the client sees an incomplete chunked body rather than a short success.
                    log.error("stream of voice %s failed: %s", job.voice.name, item)
                    raise item
                yield item
                item = await chunks.get()
        finally:
            chunks.cancelled.set()

    return StreamingResponse(
        body(),
        media_type=job.fmt.media_type,
        headers={"X-Sample-Rate": str(sample_rate)},
    )
