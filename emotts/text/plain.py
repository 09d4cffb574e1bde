"""Segments -> one plain text that remembers, per character, where it came from and its span.

The front-end works on the text with markup removed. Every character keeps its offsets in the
original input and the segment it belongs to (emotion, rate, SSML prosody, language). Segments
whose reading is fixed (``spoken`` from ``<sub>``/``<say-as>``, ``phonemes`` from
``<phoneme>``) become :class:`FixedUnit` s: one word each, never normalized or split.
"""

from __future__ import annotations

from dataclasses import dataclass

from emotts.emotion.markup import MarkupSegment
from emotts.emotion.spec import EmotionSpec


@dataclass(frozen=True)
class FixedUnit:
    """Plain-text ``[start, end)`` read as ``spoken`` words or as the IPA ``phonemes``."""

    start: int
    end: int
    spoken: str
    phonemes: str | None


@dataclass(frozen=True)
class PlainText:
    """The input with markup removed; lists have one entry per character of ``text``."""

    text: str
    starts: list[int]  # original offset of each character
    ends: list[int]  # original offset just past each character (entities are several chars)
    segments: list[MarkupSegment]  # the segment each character belongs to
    fixed: list[FixedUnit]

    def fixed_at(self, index: int) -> FixedUnit | None:
        for unit in self.fixed:
            if unit.start <= index < unit.end:
                return unit
        return None


def flatten(segments: list[MarkupSegment]) -> PlainText:
    text, starts, ends, owners, fixed = [], [], [], [], []
    length = 0
    for segment in segments:
        offsets = segment.offsets
        text.append(segment.text)
        starts.extend(offsets[:-1])
        ends.extend(offsets[1:])
        owners.extend([segment] * len(segment.text))
        if segment.spoken is not None or segment.phonemes is not None:
            # The unit is the written text without the whitespace around it.
            lead = len(segment.text) - len(segment.text.lstrip())
            start, end = length + lead, length + len(segment.text.rstrip())
            spoken = segment.spoken if segment.spoken is not None else segment.text.strip()
            fixed.append(FixedUnit(start, end, spoken, segment.phonemes))
        length += len(segment.text)
    return PlainText("".join(text), starts, ends, owners, fixed)


class PhonemeControls:
    """Per-phoneme control lists of a sentence, filled word by word from each word's segment."""

    def __init__(self, default: EmotionSpec) -> None:
        self.default = default
        self.emotions: list[EmotionSpec] = []
        self.scales: list[float] = []
        self.shifts: list[float] = []
        self.ranges: list[float] = []
        self.volumes: list[float] = []

    def repeat_last(self) -> None:
        for values in (self.emotions, self.scales, self.shifts, self.ranges, self.volumes):
            values.append(values[-1])

    def fill(self, plain: PlainText, char: int, count: int) -> None:
        """Extend every list to ``count`` entries with the controls of character ``char``."""
        segment = plain.segments[char]
        n = count - len(self.emotions)
        self.emotions.extend([segment.emotion or self.default] * n)
        self.scales.extend([1.0 / segment.rate] * n)
        self.shifts.extend([segment.pitch_shift] * n)
        self.ranges.extend([segment.pitch_range] * n)
        self.volumes.extend([segment.volume] * n)
