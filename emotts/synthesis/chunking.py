"""Vocoding a mel in overlapping chunks, for streaming.

Each chunk is vocoded with ``context`` frames of the neighbouring mel on both sides and only
its own samples are kept. When ``context`` covers the vocoder's receptive field, the kept
samples are what one-shot vocoding gives (to float rounding), so the stream is seamless. The
first chunk is small, so the first audio is out early (2 frames + context: about 0.2 s of
audio through the vocoder before anything is heard); later chunks double in size up to
``max_frames``, so the overhead of the overlap stays small.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class ChunkPlan:
    """How a mel is cut: first chunk, growth cap, and context on each side (frames)."""

    first_frames: int = 2
    max_frames: int = 256
    context_frames: int = 16

    def sizes(self) -> Iterator[int]:
        """Frames of each chunk in turn (endless; the last one is cut to the mel's end), so a
        mel whose length is not known yet (`emotts.synthesis.long_sentence`) is cut alike."""
        size = max(1, self.first_frames)
        while True:
            yield size
            size = min(self.max_frames, size * 2)

    def spans(self, frames: int) -> list[tuple[int, int]]:
        """[start, end) frame spans that tile ``range(frames)``."""
        spans, start = [], 0
        for size in self.sizes():
            if start >= frames:
                break
            end = min(frames, start + size)
            spans.append((start, end))
            start = end
        return spans


def vocode_chunks(
    vocode: Callable[[np.ndarray], np.ndarray],
    mel: np.ndarray,
    hop_length: int,
    plan: ChunkPlan,
) -> Iterator[tuple[int, int, np.ndarray]]:
    """Yield ``(start_frame, end_frame, samples)`` per chunk of ``mel`` [n_mels, T].

    ``samples`` has ``(end - start) * hop_length`` values; the chunks concatenated equal
    ``vocode(mel)`` where ``plan.context_frames`` covers the vocoder's receptive field.
    """
    frames = mel.shape[1]
    for start, end in plan.spans(frames):
        left = max(0, start - plan.context_frames)
        right = min(frames, end + plan.context_frames)
        wave = vocode(np.ascontiguousarray(mel[:, left:right]))
        offset = (start - left) * hop_length
        yield start, end, wave[offset : offset + (end - start) * hop_length]
