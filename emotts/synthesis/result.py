"""The result of synthesis: audio samples plus phoneme and word timings in seconds."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from emotts.text.symbols import BOS, EOS, PAD, WORD_SEPARATOR

# Structural symbols that carry no sound of their own are left out of phoneme timings.
_SILENT_SYMBOLS = {BOS, EOS, WORD_SEPARATOR, PAD}


@dataclass(frozen=True)
class PhonemeTiming:
    phoneme: str
    start: float
    end: float


@dataclass(frozen=True)
class WordTiming:
    """A word's time span; start_char/end_char index the text the user gave (markup included)."""

    word: str
    start: float
    end: float
    start_char: int
    end_char: int


@dataclass(frozen=True)
class BreakTiming:
    """An SSML ``<break>``: exact silence from ``start`` to ``end`` (seconds); the characters
    of its tag in the user's text."""

    start: float
    end: float
    start_char: int
    end_char: int


@dataclass(frozen=True)
class MarkTiming:
    """An SSML ``<mark name>`` and the time (seconds) at which it is reached."""

    name: str
    time: float
    start_char: int
    end_char: int


@dataclass
class Audio:
    """Synthesized speech.

    samples: float32 mono waveform in [-1, 1]; sample_rate in Hz; phonemes/words: timings in
    seconds from the start of ``samples``; mel: the [80, T_fr] log-mel it was vocoded from;
    breaks/marks: SSML ``<break>`` silences and ``<mark>`` times; ignored: what lenient SSML
    reading skipped (element or attribute and position).
    """

    samples: np.ndarray
    sample_rate: int
    phonemes: list[PhonemeTiming] = field(default_factory=list)
    words: list[WordTiming] = field(default_factory=list)
    mel: np.ndarray | None = None
    breaks: list[BreakTiming] = field(default_factory=list)
    marks: list[MarkTiming] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)

    @property
    def duration(self) -> float:
        """Length in seconds."""
        return len(self.samples) / self.sample_rate

    def save(self, path: str | Path) -> Path:
        """Write a .wav or .flac file."""
        from emotts.audio.io import save_audio

        save_audio(path, self.samples, self.sample_rate)
        return Path(path)

    def timings_dict(self) -> dict:
        """Timings as plain JSON-ready data."""
        return _timings_dict(self)


def _timings_dict(timed: Audio | Timeline) -> dict:
    return {
        "duration": timed.duration,
        "sample_rate": timed.sample_rate,
        "words": [vars(w) for w in timed.words],
        "phonemes": [vars(p) for p in timed.phonemes],
        "breaks": [vars(b) for b in timed.breaks],
        "marks": [vars(m) for m in timed.marks],
    }


def sentence_audio(
    sentence,
    durations: np.ndarray,
    samples: np.ndarray,
    sample_rate: int,
    hop_length: int,
    mel: np.ndarray | None = None,
    breaks: list[BreakTiming] = (),
    marks: list[MarkTiming] = (),
) -> Audio:
    """Attach timings to one sentence's audio; durations: [T_ph] frames per phoneme (pauses
    included)."""
    phonemes, words = span_timings(sentence, durations, hop_length / sample_rate)
    return Audio(
        samples.astype(np.float32), sample_rate, phonemes, words, mel, list(breaks), list(marks)
    )


def span_timings(
    sentence,
    durations: np.ndarray,
    frame_seconds: float,
    first: int = 0,
    offset: int = 0,
    words: list | None = None,
) -> tuple[list[PhonemeTiming], list[WordTiming]]:
    """Timings (seconds from the sentence's start) of phonemes ``first ..
    first + len(durations)`` of a sentence and of ``words`` (default: all of the sentence's),
    which must lie in that span. ``durations``: [T_span] frames of those phonemes (pauses
    included); ``offset``: the frames before phoneme ``first``. A span's timings are the same
    floats as the whole sentence's (the sums stay integers until the one multiplication)."""
    ends = (np.cumsum(np.asarray(durations, np.int64)) + offset) * frame_seconds
    starts = ends - np.asarray(durations) * frame_seconds
    phonemes = [
        PhonemeTiming(symbol, float(starts[i]), float(ends[i]))
        for i, symbol in enumerate(sentence.phonemes[first : first + len(starts)])
        if symbol not in _SILENT_SYMBOLS
    ]
    timed_words = [
        WordTiming(
            word.text,
            float(starts[word.first_phoneme - first]),
            float(ends[word.last_phoneme_exclusive - 1 - first]),
            word.start_char,
            word.end_char,
        )
        for word in (sentence.words if words is None else words)
    ]
    return phonemes, timed_words


def time_slice(
    timed: Audio,
    start: float,
    end: float,
    samples: np.ndarray,
    mel: np.ndarray | None = None,
    *,
    last: bool = False,
) -> Audio:
    """The piece of ``timed`` between ``start`` and ``end`` seconds, with ``samples`` as audio.

    Keeps the phonemes, words, breaks and marks that start in [start, end) ([start, end] for
    the ``last`` piece), shifted to the piece's start, so concatenating the pieces restores
    the timings.
    """

    def inside(t: float) -> bool:
        return start <= t < end or (last and t == end)

    phonemes = [
        PhonemeTiming(p.phoneme, p.start - start, p.end - start)
        for p in timed.phonemes
        if inside(p.start)
    ]
    words = [
        WordTiming(w.word, w.start - start, w.end - start, w.start_char, w.end_char)
        for w in timed.words
        if inside(w.start)
    ]
    breaks = [
        BreakTiming(b.start - start, b.end - start, b.start_char, b.end_char)
        for b in timed.breaks
        if inside(b.start)
    ]
    marks = [
        MarkTiming(m.name, m.time - start, m.start_char, m.end_char)
        for m in timed.marks
        if inside(m.time)
    ]
    return Audio(samples.astype(np.float32), timed.sample_rate, phonemes, words, mel, breaks, marks)


@dataclass
class Timeline:
    """The timings of consecutive parts (streamed sentences) on one clock, without their audio.

    ``append`` shifts each part's timings by the audio before it, so they are absolute seconds
    from the start of the first part, as in one `Audio` of the whole text. ``keep=False``
    counts the samples only (`emotts synth -o` without ``--timings``: a long text's timings
    would be the one thing held that grows with it).
    """

    sample_rate: int
    phonemes: list[PhonemeTiming] = field(default_factory=list)
    words: list[WordTiming] = field(default_factory=list)
    breaks: list[BreakTiming] = field(default_factory=list)
    marks: list[MarkTiming] = field(default_factory=list)
    samples: int = 0
    keep: bool = True

    @property
    def duration(self) -> float:
        return self.samples / self.sample_rate

    def append(self, part: Audio) -> None:
        if not self.keep:
            self.samples += len(part.samples)
            return
        offset = self.duration
        self.phonemes += [
            PhonemeTiming(p.phoneme, p.start + offset, p.end + offset) for p in part.phonemes
        ]
        self.words += [
            WordTiming(w.word, w.start + offset, w.end + offset, w.start_char, w.end_char)
            for w in part.words
        ]
        self.breaks += [
            BreakTiming(b.start + offset, b.end + offset, b.start_char, b.end_char)
            for b in part.breaks
        ]
        self.marks += [
            MarkTiming(m.name, m.time + offset, m.start_char, m.end_char) for m in part.marks
        ]
        self.samples += len(part.samples)

    def timings_dict(self) -> dict:
        """The same JSON-ready layout as `Audio.timings_dict`."""
        return _timings_dict(self)


def concatenate(parts: list[Audio]) -> Audio:
    """Join sentence results into one, shifting the later timings."""
    if len(parts) == 1:
        return parts[0]
    timeline = Timeline(parts[0].sample_rate)
    for part in parts:
        timeline.append(part)
    mels = [p.mel for p in parts]
    mel = np.concatenate(mels, axis=1) if all(m is not None for m in mels) else None
    samples = np.concatenate([p.samples for p in parts])
    return Audio(
        samples,
        parts[0].sample_rate,
        timeline.phonemes,
        timeline.words,
        mel,
        timeline.breaks,
        timeline.marks,
    )
