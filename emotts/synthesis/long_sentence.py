"""A sentence over the phoneme budget, made a window at a time so its mel is never held whole.

`emotts.synthesis.budget` cuts such a sentence into windows. Here each window's own part
(`budget.kept`) is laid out as it arrives (pauses inserted with `timeline.silence`, events
placed by `timeline.place_events`), the laid-out frames are vocoded in the chunks of a
`ChunkPlan` as soon as a chunk and its right-hand vocoder context are there, and each chunk
is yielded as an `Audio` piece and dropped. A chunk that spans a window join is vocoded with
the frames on both sides, so the audio is what the whole sentence's mel gives, chunk for
chunk (the same spans, contexts and gains as `SpeechSynthesizer.sentence_pieces`); the
timings are the same floats, computed from the same integer frame counts.

Held at once: one acoustic call's output (``BATCH_SENTENCES`` windows), the laid-out frames
not yet vocoded plus one chunk's context, and per-phoneme integer arrays (durations and their
running sum: 16 bytes a phoneme, against ~1.4 KB of mel a phoneme's 4-5 frames would take).
Until the first chunk is out the windows' parts are kept too, so that a sentence that ends
before then (fewer frames than the first chunk, or within ``whole_within``) is rendered by
`sentence_pieces` itself, exactly as before.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from typing import TYPE_CHECKING

import numpy as np

from emotts.synthesis.budget import Window, kept
from emotts.synthesis.chunking import ChunkPlan
from emotts.synthesis.result import Audio, BreakTiming, span_timings, time_slice
from emotts.synthesis.timeline import FrameGains, finish_samples, place_events, silence
from emotts.text.frontend import SentenceInput

if TYPE_CHECKING:
    from emotts.synthesis.pipeline import SpeechSynthesizer


def windowed_pieces(
    synth: SpeechSynthesizer,
    sentences: list[SentenceInput],
    plans: list[list[Window]],
    outputs: Iterator[tuple[np.ndarray, np.ndarray]],
    whole_within: int,
) -> Iterator[Audio]:
    """The pieces of a batch of sentences, in order, from the rows of their windows
    (``plans``; ``outputs``: (mel [80, T_fr], durations [T_ph]) per window, lazily): a
    sentence within the budget as `sentence_pieces` renders it, a longer one window by
    window, in the chunks of ``synth.long_chunks`` unless it has ``whole_within`` frames or
    fewer."""
    for sentence, windows in zip(sentences, plans, strict=True):
        if len(windows) == 1:
            mel, durations = next(outputs)
            yield from synth.sentence_pieces(sentence, mel, durations, synth.long_plan(mel))
        else:
            yield from long_sentence_pieces(
                synth, sentence, windows, outputs, synth.long_chunks, whole_within
            )


def long_sentence_pieces(
    synth: SpeechSynthesizer,
    sentence: SentenceInput,
    windows: list[Window],
    outputs: Iterator[tuple[np.ndarray, np.ndarray]],
    plan: ChunkPlan,
    whole_within: int | None,
) -> Iterator[Audio]:
    """One cut sentence's pieces, taking its windows' outputs from ``outputs`` one at a time.

    ``plan``: its vocoder chunks; ``whole_within``: a sentence of at most that many frames
    from the acoustic model is vocoded at once instead (None: always in chunks). Concatenated,
    the pieces equal ``synth.sentence_pieces`` on the joined windows (to float rounding).
    """
    parts: list[tuple[np.ndarray, np.ndarray]] = []  # kept until the first chunk is out
    frames = 0
    chunked: _Chunked | None = None
    for window in windows:
        part = kept(window, next(outputs))
        frames += part[0].shape[1]
        if chunked is None or chunked.emitted == 0:
            parts.append(part)
        if chunked is not None:
            chunked.feed(*part)
        elif whole_within is None or frames > whole_within:
            chunked = _Chunked(synth, sentence, plan)
            for earlier in parts:
                chunked.feed(*earlier)
        if chunked is not None:
            yield from chunked.ready()
            if chunked.emitted:
                parts = []
    if chunked is None or chunked.emitted == 0:
        # It ended before its first chunk: render it joined, exactly as before (it is short).
        mel = np.concatenate([m for m, _ in parts], axis=1)
        durations = np.concatenate([d for _, d in parts])
        yield from synth.sentence_pieces(
            sentence, mel, durations, None if chunked is None else plan
        )
        return
    yield from chunked.ready(final=True)


class _Chunked:
    """A cut sentence laid out and vocoded as its windows' outputs arrive (`feed`).

    Frames are "laid out" once the pauses are in (the frames of `timeline.lay_out`'s mel);
    ``laid`` holds those from ``laid_first`` to ``laid_end`` not yet past every chunk.
    """

    def __init__(self, synth: SpeechSynthesizer, sentence: SentenceInput, plan: ChunkPlan) -> None:
        self.synth = synth
        self.sentence = sentence
        self.hop = synth.audio_config.hop_length
        self.frame_seconds = synth.frame_seconds
        self.log_floor = float(np.log(synth.audio_config.log_floor))
        n = len(sentence.phoneme_ids)
        self.placed, self.added = place_events(sentence, n, self.frame_seconds)
        self.volumes = np.asarray(sentence.volumes or np.ones(n), np.float32)
        self.gained = bool(np.any(self.volumes != 1.0))
        # Per phoneme: the model's durations, and the laid-out frames before each (cum[i]).
        self.durations = np.zeros(n, np.int64)
        self.cum = np.zeros(n + 1, np.int64)
        self.known = 0  # phonemes whose durations have arrived
        self.model_frames = 0
        self.last_frame: np.ndarray | None = None  # the model's latest frame [n_mels]
        self.unresolved = [p for p in self.placed if p.is_pause]  # model frame not known yet
        self.waiting: list[tuple[int, int]] = []  # (model frame, frames): not laid out yet
        self.untimed = list(enumerate(self.placed))
        self.timed: list[tuple[int, int, object]] = []  # (event index, frame, Placed)
        self.laid: np.ndarray | None = None
        self.laid_first = self.laid_end = 0
        self.plan = plan
        self.sizes = plan.sizes()
        self.next_start, self.next_size = 0, next(self.sizes)
        self.emitted = 0

    def feed(self, mel: np.ndarray, durations: np.ndarray) -> None:
        """The next window's own part: mel [80, T_kept], durations [T_own] of the phonemes
        after the ones fed so far."""
        durations = np.asarray(durations, np.int64)
        first, count, model_first = self.known, len(durations), self.model_frames
        self.durations[first : first + count] = durations
        laid = durations + self.added[first : first + count]
        self.cum[first + 1 : first + count + 1] = self.cum[first] + np.cumsum(laid)
        self.known += count
        self.model_frames += mel.shape[1]
        # A pause goes in before the model frame its anchor starts at (`lay_out`).
        before = np.concatenate([[0], np.cumsum(durations)])
        still = []
        for one in self.unresolved:
            if one.anchor <= self.known:
                at = model_first + int(before[one.anchor - first])
                self.waiting.append((at, one.frames))
            else:
                still.append(one)
        self.unresolved = still
        self._time_events()
        self._lay_out(mel, model_first, final=False)

    def _time_events(self) -> None:
        """Frames of the breaks, marks and silences whose anchors' durations are in."""
        still = []
        for index, one in self.untimed:
            if one.anchor < self.known:
                anchor = one.anchor
                at = int(self.cum[anchor] + self.durations[anchor] + one.before)
                self.timed.append((index, at, one))
            else:
                still.append((index, one))
        self.untimed = still

    def _lay_out(self, mel: np.ndarray, model_first: int, final: bool) -> None:
        """Append the laid-out frames that ``mel`` (model frames from ``model_first``) makes
        ready. A pause at the newest frame waits for the next frame (its last frame repeats
        it), unless the sentence is over."""
        self.waiting.sort()  # the order of `lay_out`'s sorted(insertions)
        end = self.model_frames
        ready = [w for w in self.waiting if w[0] < end or final]
        self.waiting = self.waiting[len(ready) :]
        pieces, previous = [], model_first
        for frame, frames in ready:
            pieces.append(mel[:, previous - model_first : frame - model_first])
            if frame == 0:
                left = None
            elif frame - 1 >= model_first:
                left = mel[:, frame - 1 - model_first]
            else:
                left = self.last_frame
            right = mel[:, frame - model_first] if frame < end else None
            pieces.append(silence(left, right, frames, self.log_floor, mel))
            previous = frame
        pieces.append(mel[:, previous - model_first :])
        if mel.shape[1]:
            self.last_frame = mel[:, -1].copy()
        held = [] if self.laid is None else [self.laid]
        self.laid = np.concatenate(held + pieces, axis=1)
        self.laid_end = self.laid_first + self.laid.shape[1]

    def ready(self, final: bool = False) -> Iterator[Audio]:
        """The chunks that can be vocoded now (``final``: the sentence is complete: all)."""
        if final:
            empty = self.laid[:, :0] if self.laid is not None else np.zeros((0, 0), np.float32)
            self._lay_out(empty, self.model_frames, final=True)
        context = self.plan.context_frames
        total = self.laid_end
        while True:
            start = self.next_start
            end, right = start + self.next_size, start + self.next_size + context
            if final:
                if start >= total:
                    return
                end, right = min(total, end), min(total, right)
            elif right > self.laid_end or end >= self.cum[self.known] or not self._timed(end):
                return
            left = max(0, start - context)
            mel = self.laid[:, left - self.laid_first : right - self.laid_first]
            wave = self.synth.vocode(np.ascontiguousarray(mel))
            offset = (start - left) * self.hop
            samples = wave[offset : offset + (end - start) * self.hop]
            own = mel[:, start - left : end - left].copy()
            yield self._piece(start, end, samples, own, last=final and end == total)
            self.emitted += 1
            self.next_start, self.next_size = end, next(self.sizes)
            # The next chunk's left context is all it needs of what came before.
            drop = max(0, end - context) - self.laid_first
            if drop > 0:
                self.laid = self.laid[:, drop:]
                self.laid_first += drop
            self.timed = [t for t in self.timed if t[1] + t[2].frames >= end]

    def _span(self, start: int, end: int) -> tuple[int, int, list]:
        """Phonemes ``[lo, hi)`` that hold every phoneme starting in frames [start, end]
        (one more each side) and the whole of each word starting among them; those words."""
        starts = self.cum[: self.known]
        lo = max(0, int(np.searchsorted(starts, start, "left")) - 1)
        hi = min(self.known, int(np.searchsorted(starts, end, "right")) + 1)
        words = self.sentence.words
        first = bisect.bisect_left(words, lo, key=lambda w: w.first_phoneme)
        last = bisect.bisect_left(words, hi, key=lambda w: w.first_phoneme)
        chosen = words[first:last]
        return lo, max([hi] + [w.last_phoneme_exclusive for w in chosen]), chosen

    def _timed(self, end: int) -> bool:
        """Whether every word that may start in the chunk ending at ``end`` has arrived."""
        return self._span(self.next_start, end)[1] <= self.known

    def _piece(
        self, start: int, end: int, samples: np.ndarray, mel: np.ndarray, last: bool
    ) -> Audio:
        """Frames [start, end) as `sentence_pieces` cuts them: gains, silences and the
        timings that start in them (`time_slice` of the sentence's timings)."""
        lo, hi, words = self._span(start, end)
        seconds = self.frame_seconds
        durations = np.diff(self.cum[lo : hi + 1])
        phonemes, timed_words = span_timings(
            self.sentence, durations, seconds, first=lo, offset=int(self.cum[lo]), words=words
        )
        breaks, marks, silences = [], [], []
        for _, at, one in sorted(self.timed, key=lambda t: t[0]):
            if one.is_pause:
                silences.append((at, at + one.frames))
            timing = one.timing(at, seconds) if start - 1 <= at <= end + 1 else None
            if isinstance(timing, BreakTiming):
                breaks.append(timing)
            elif timing is not None:
                marks.append(timing)
        timed = Audio(
            np.zeros(0, np.float32),
            self.synth.sample_rate,
            phonemes,
            timed_words,
            None,
            breaks,
            marks,
        )
        finished = finish_samples(samples, self.hop, start, self._gains(start, end), silences)
        return time_slice(timed, start * seconds, end * seconds, finished, mel, last=last)

    def _gains(self, start: int, end: int) -> FrameGains | None:
        """Span-volume gains of frames [start - 1, end + 1) (within the sentence)."""
        if not self.gained:
            return None
        cum = self.cum[: self.known + 1]
        lo, hi = max(0, start - 1), min(end + 1, int(cum[-1]))
        first = int(np.searchsorted(cum, lo, "right")) - 1
        last = int(np.searchsorted(cum, hi - 1, "right"))
        gains = np.repeat(self.volumes[first:last], np.diff(cum[first : last + 1]))
        return FrameGains(lo, gains[lo - int(cum[first]) : hi - int(cum[first])])
