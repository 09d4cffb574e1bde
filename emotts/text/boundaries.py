"""Breaks and marks at word boundaries: where SSML events land in the sentences.

A boundary of a sentence with ``n`` words is a number ``k`` in ``0..n``: before word ``k``
(``k = n``: after the last word). The structural symbols between two words (punctuation, the
word separator; at the ends the sentence start/end symbols) make up the boundary's natural
pause. A :class:`Pause` replaces that pause with exactly its seconds of silence: those
symbols get no frames, and the silence is inserted after synthesis (``emotts.synthesis``).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from emotts.text.marked import BreakEvent, MarkEvent


@dataclass(frozen=True)
class Pause:
    """``seconds`` of silence at word boundary ``boundary``; the chars of its ``<break>`` tag."""

    boundary: int
    seconds: float
    start_char: int
    end_char: int
    companion: bool = False  # only removes the natural pause next to a break in a neighbour


@dataclass(frozen=True)
class Mark:
    """A named point at word boundary ``boundary``; the chars of its ``<mark>`` tag."""

    boundary: int
    name: str
    start_char: int
    end_char: int


@dataclass(frozen=True)
class SentencePlace:
    """A sentence's plain-text span and the plain offsets where its words start."""

    start: int
    end: int
    word_starts: list[int]


def place_events(
    events: list[BreakEvent | MarkEvent], sentences: list[SentencePlace]
) -> list[list[Pause | Mark]]:
    """Each sentence's events, in text order, as boundary events.

    An event inside a sentence goes before the first word that starts at or after it (an event
    inside a word goes after that word). One between two sentences starts the later one; a
    break there also removes the earlier sentence's trailing pause, so the silence between the
    two is exactly the break.
    """
    placed: list[list[Pause | Mark]] = [[] for _ in sentences]
    starts = [sentence.start for sentence in sentences]
    for event in events:
        index = max(bisect.bisect_right(starts, event.position) - 1, 0)
        sentence = sentences[index]
        boundary = bisect.bisect_left(sentence.word_starts, event.position)
        inside = event.position <= sentence.end and (boundary > 0 or index == 0)
        last = index + 1 == len(sentences)
        if inside or (event.position > sentence.end and last):
            placed[index].append(_at(event, boundary))
            continue
        if event.position > sentence.end:
            index += 1
        placed[index].append(_at(event, 0))
        if isinstance(event, BreakEvent):
            earlier = sentences[index - 1]
            companion = Pause(len(earlier.word_starts), 0.0, event.start, event.end, True)
            placed[index - 1].append(companion)
    return placed


def _at(event: BreakEvent | MarkEvent, boundary: int) -> Pause | Mark:
    if isinstance(event, BreakEvent):
        return Pause(boundary, event.seconds, event.start, event.end)
    return Mark(boundary, event.name, event.start, event.end)


def structural_range(
    boundary: int, word_phonemes: list[tuple[int, int]], n_phonemes: int
) -> tuple[int, int]:
    """Phoneme indices ``[lo, hi)`` of the symbols between the words around ``boundary``.

    ``word_phonemes``: each word's ``(first_phoneme, last_phoneme_exclusive)``.
    """
    lo = word_phonemes[boundary - 1][1] if boundary > 0 else 0
    hi = word_phonemes[boundary][0] if boundary < len(word_phonemes) else n_phonemes
    return lo, hi
