"""Mixing a dub block by block, in memory bounded by the cues in flight, not by the track.

The chain gives the same samples as `Dubber.render`'s whole-array mix (`place`, the bed with
`duck_gain`, `limit_peaks`, `resample`, `limit_peaks` again at another track rate):

    cue segments + bed (ducked) -> limiter -> [resampler -> limiter at the track rate] -> write

Each stage holds only the margin its moving windows need:

- mixing: a sample is final once no later cue can start before it (`StreamMixer.advance`,
  given the next cue's start) and, with ducking, the 50 ms the duck's ramp looks ahead;
- ducking: the speech spans whose 300 ms release can still reach unmixed samples;
- limiter: 2 x 4 blocks of 5 ms past a block (a moving minimum, then a moving mean, of radius
  4 blocks each), and the edge values at the start and, on `finish`, at the end of the track;
- resampler: soxr's own streaming state (the same output as its one-shot call).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

import numpy as np

from emotts.dubbing.mixing import (
    CEILING,
    LIMITER_SPREAD_BLOCKS,
    block_allowances,
    db_to_gain,
    duck_ramps,
    limiter_block,
)
from emotts.dubbing.plan import CuePlan
from emotts.dubbing.report import PlacedCue

#: Samples mixed (and handed on) at a time.
MIX_BLOCK = 1 << 16


class _Stage:
    """A step of the chain: takes samples in order (`push`), then `finish` once."""

    def push(self, samples: np.ndarray) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        raise NotImplementedError


class _Writer(_Stage):
    """The end of the chain: hands samples to ``write`` and counts them."""

    def __init__(self, write: Callable[[np.ndarray], None]) -> None:
        self.write = write
        self.samples = 0

    def push(self, samples: np.ndarray) -> None:
        if len(samples):
            self.write(samples)
            self.samples += len(samples)

    def finish(self) -> None:
        pass


class StreamResampler(_Stage):
    """`emotts.audio.io.resample` (soxr HQ) on a stream: the same samples and length."""

    def __init__(self, source_rate: int, target_rate: int, out: _Stage) -> None:
        import soxr

        self.stream = soxr.ResampleStream(
            source_rate, target_rate, 1, dtype="float32", quality="HQ"
        )
        self.out = out

    def push(self, samples: np.ndarray) -> None:
        self.out.push(self.stream.resample_chunk(np.ascontiguousarray(samples, np.float32)))

    def finish(self) -> None:
        self.out.push(self.stream.resample_chunk(np.zeros(0, np.float32), last=True))
        self.out.finish()


class StreamLimiter(_Stage):
    """`emotts.dubbing.mixing.limit_peaks` on a stream: the same samples.

    A block's gain is the mean over +-R blocks of the minimum over +-R blocks of each block's
    allowance (R = 4 blocks of 5 ms), edge values repeated at both ends of the track; a block
    is handed on once the allowances 2R blocks past it are known, the rest on `finish`.
    """

    def __init__(self, sample_rate: int, out: _Stage, ceiling: float = CEILING) -> None:
        self.block = limiter_block(sample_rate)
        self.out = out
        self.ceiling = ceiling
        self.pending = np.zeros(0, np.float32)  # samples from block `first` on
        self.first = 0
        self.allowed = np.zeros(0, np.float32)  # allowances of blocks `base`, `base` + 1, ...
        self.base = 0

    def _measure(self, final: bool) -> None:
        """Allowances of the blocks of `pending` not yet measured (complete ones, or all)."""
        measured = self.base + len(self.allowed) - self.first  # blocks of pending measured
        usable = len(self.pending) if final else len(self.pending) // self.block * self.block
        if usable > measured * self.block:
            new = block_allowances(
                self.pending[measured * self.block : usable], self.block, self.ceiling
            )
            self.allowed = np.concatenate([self.allowed, new])

    def push(self, samples: np.ndarray) -> None:
        self.pending = np.concatenate([self.pending, samples])
        self._measure(final=False)
        ready = self.base + len(self.allowed) - 2 * LIMITER_SPREAD_BLOCKS
        if ready > self.first:
            self._emit(ready, None)

    def finish(self) -> None:
        self._measure(final=True)
        total = self.base + len(self.allowed)
        if total > self.first:
            self._emit(total, total)
        self.out.finish()

    def _emit(self, end: int, total: int | None) -> None:
        """Hand on blocks [first, end); ``total``: the track's block count once known."""
        radius = LIMITER_SPREAD_BLOCKS

        def clamp(index: np.ndarray) -> np.ndarray:
            index = np.maximum(index, 0)
            return index if total is None else np.minimum(index, total - 1)

        # Moving minimum at the blocks the moving mean reads (edge-clamped like np.pad "edge").
        mean_at = clamp(np.arange(self.first - radius, end + radius))
        min_at = np.arange(mean_at.min(), mean_at.max() + 1)
        spread = np.arange(-radius, radius + 1)
        minimum = self.allowed[clamp(min_at[:, None] + spread) - self.base].min(axis=1)
        windows = np.lib.stride_tricks.sliding_window_view(
            np.ascontiguousarray(minimum[mean_at - min_at[0]]), 2 * radius + 1
        )
        gain = np.mean(windows, axis=1)
        count = min(len(self.pending), (end - self.first) * self.block)
        samples = self.pending[:count]
        self.out.push((samples * np.repeat(gain, self.block)[:count]).astype(np.float32))
        self.pending = self.pending[count:]
        self.first = end
        keep = max(0, self.first - 2 * radius)
        self.allowed = self.allowed[keep - self.base :]
        self.base = keep


class _BedReader:
    """The bed's samples in order, silence after its end (as the whole-array mix pads it)."""

    def __init__(self, blocks: Iterator[np.ndarray]) -> None:
        self.blocks = blocks
        self.buffer = np.zeros(0, np.float32)
        self.ended = False

    def take(self, count: int) -> np.ndarray:
        while len(self.buffer) < count and not self.ended:
            piece = next(self.blocks, None)
            if piece is None:
                self.ended = True
            else:
                self.buffer = np.concatenate([self.buffer, piece])
        out = np.zeros(count, np.float32)
        have = min(count, len(self.buffer))
        out[:have] = self.buffer[:have]
        self.buffer = self.buffer[have:]
        return out


class StreamMixer:
    """Cue segments and the bed onto the track at the voice's rate, handed on in order.

    Args:
        rate: the voice's sample rate (where cues are placed); track_rate: the output's.
        write: receives the finished track's samples (float32, at ``track_rate``) in order.
        length: the track's length in samples at ``rate`` when fixed, else None (known at
            `finish`).
        bed: the bed's samples at ``rate`` in pieces (`emotts.audio.io.read_blocks`), or None;
            with a bed the length is fixed.
        bed_gain: the bed's linear gain; duck: dB the bed drops under speech (0: off).
    """

    def __init__(
        self,
        rate: int,
        track_rate: int,
        write: Callable[[np.ndarray], None],
        *,
        length: int | None = None,
        bed: Iterator[np.ndarray] | None = None,
        bed_gain: float = 1.0,
        duck: float = 0.0,
    ) -> None:
        if bed is not None and length is None:
            raise ValueError("a bed needs a fixed track length")
        self.rate = rate
        self.writer = _Writer(write)
        chain: _Stage = self.writer
        if track_rate != rate:
            chain = StreamResampler(rate, track_rate, StreamLimiter(track_rate, chain))
        self.out = StreamLimiter(rate, chain)
        self.length = length
        self.bed = None if bed is None else _BedReader(bed)
        self.bed_gain = bed_gain
        self.duck = float(duck) if bed is not None else 0.0
        self.attack, self.release = duck_ramps(rate)
        self.segments: list[tuple[int, int, np.ndarray]] = []  # (order, start, samples)
        self.spans: list[tuple[int, int]] = []  # speech spans the duck can still see
        self.done = 0  # samples handed on

    def add(self, order: int, start: int, samples: np.ndarray) -> None:
        """A cue's samples (dialogue gain applied) from sample ``start``; ``order``: its place
        in the whole-array sum (overlapping cues add in this order, for the same rounding)."""
        if start < self.done:
            raise ValueError(f"a cue at sample {start} comes after sample {self.done} was mixed")
        self.segments.append((order, start, samples))
        self.spans.append((start, start + len(samples)))

    def advance(self, safe: int) -> None:
        """No cue added later starts before sample ``safe``: mix and hand on what is final."""
        end = safe - self.attack if self.duck > 0 else safe
        if self.length is not None:
            end = min(end, self.length)
        self._mix_to(end)

    def finish(self, length: int) -> int:
        """Mix to the track's ``length`` (samples at the voice's rate), flush every stage and
        return the number of samples written at the track's rate."""
        self.length = length
        self._mix_to(length)
        self.out.finish()
        return self.writer.samples

    def _mix_to(self, end: int) -> None:
        while self.done < end:
            stop = min(end, self.done + MIX_BLOCK)
            self.out.push(self._mix(self.done, stop))
            self.done = stop
            self.segments = [s for s in self.segments if s[1] + len(s[2]) > stop]
            self.spans = [s for s in self.spans if s[1] > stop - self.release]

    def _mix(self, begin: int, end: int) -> np.ndarray:
        dialogue = np.zeros(end - begin, np.float32)
        for _, start, samples in sorted(self.segments, key=lambda s: s[0]):
            stop = min(end, start + len(samples))
            if self.length is not None:
                stop = min(stop, self.length)
            if stop > begin and start < end:
                low = max(begin, start)
                dialogue[low - begin : stop - begin] += samples[low - start : stop - start]
        if self.bed is None:
            return dialogue
        bed = self.bed.take(end - begin)
        if self.duck > 0:
            bed *= self._duck_gain(begin, end)
        return dialogue + bed * self.bed_gain

    def _duck_gain(self, begin: int, end: int) -> np.ndarray:
        """`duck_gain` over samples [begin, end): its running sums, over the window they read."""
        length = self.length
        assert length is not None
        low, high = max(0, begin + 1 - self.release), min(length, end + self.attack)
        mask = np.zeros(high - low, np.uint8)
        for start, stop in self.spans:
            a, b = max(low, start), min(high, stop)
            if b > a:
                mask[a - low : b - low] = 1
        total = np.zeros(high - low + 1, np.int64)
        np.cumsum(mask, out=total[1:])
        index = np.arange(begin, end)
        ahead = total[np.minimum(length, index + self.attack) - low] - total[index - low]
        ahead = ahead / self.attack
        after = total[index + 1 - low] - total[np.maximum(0, index + 1 - self.release) - low]
        after = after / self.release
        envelope = np.maximum(np.minimum(1.0, ahead * 2), after)
        envelope = np.maximum(envelope, mask[index - low])
        return (1.0 - (1.0 - db_to_gain(-self.duck)) * envelope).astype(np.float32)


def mix_cues(
    mixer: StreamMixer, cues: Iterable[tuple[CuePlan, int | None]], gain: float
) -> list[tuple[int, int]]:
    """Mix rendered cues (in start order, each with the start sample of the next) as they
    come; each then keeps only its placement (`CuePlan.placed`) and report row. Returns the
    speech span of every cue (samples at the voice's rate), in the cues' ``order``."""
    spans: dict[int, tuple[int, int]] = {}
    for plan, following_start in cues:
        start, audio = round(plan.cue.start * mixer.rate), plan.audio
        assert audio is not None, "mix_cues takes rendered cues"
        mixer.add(plan.order, start, audio.samples * gain)
        spans[plan.order] = (start, start + len(audio.samples))
        plan.placed = PlacedCue(
            plan.cue.number, plan.row.speaker, plan.cue.start, audio.duration, audio.words
        )
        plan.utterance, plan.natural, plan.audio = None, [], None
        if following_start is not None:
            mixer.advance(following_start)
    return [spans[order] for order in sorted(spans)]
