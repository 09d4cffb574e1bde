"""A phoneme budget per acoustic call: long sentences are cut, run in windows, and rejoined.

The acoustic model's cost (attention in the encoder, every activation in the decoder) grows
with the row length, so one 15,000-character sentence without punctuation would be one huge
call. Here a sentence longer than ``budget`` phonemes is cut into pieces, at clause boundaries
(a word separator after ``, ; : - ...`` punctuation) when the sentence has them, else at word
separators, else (one word longer than the budget) anywhere. Each piece is run as a *window*
that adds ``context`` phonemes of its neighbours on both sides, and only the piece's own
durations and mel frames are kept. The neighbours give the encoder and the convolutional
decoder the text around the cut, so the frames on each side of a cut are computed knowing
what follows and precedes, and the joined mel has no seam at the cut; the windows never start
with the sentence-start symbol or end with the sentence-end one (unless they are the
sentence's ends), so no pause is added at a cut.

The joined durations and mel are those of the whole sentence, and everything after the
acoustic model (pauses, vocoding, timings) works on the whole sentence, so the cuts do not
show in the timings. A sentence within the budget is one window with no context: the
acoustic call is exactly what it was before the budget existed.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from emotts.text.frontend import SentenceInput
from emotts.text.symbols import WORD_SEPARATOR

#: Most phonemes in one row of an acoustic call.
PHONEME_BUDGET = 512
#: Phonemes of the neighbouring text on each side of a window (inside the budget).
CONTEXT_PHONEMES = 32
# Punctuation before a word separator that marks a clause boundary (a natural place to cut).
_CLAUSE_MARKS = frozenset(",;:-–—…)]}\"'»”’.!?")


@dataclass(frozen=True)
class Window:
    """One acoustic row for a piece of a sentence.

    ``sentence``: the window's input (phonemes ``[start, end)`` of the whole sentence, its
    per-phoneme controls sliced alike); ``keep``: the piece's own phonemes ``[lo, hi)`` inside
    the window (the rest is context whose output is dropped).
    """

    sentence: SentenceInput
    start: int
    end: int
    keep: tuple[int, int]

    @property
    def phonemes(self) -> int:
        return self.end - self.start


def cut_points(sentence: SentenceInput, limit: int) -> list[int]:
    """Phoneme indices where a sentence of more than ``limit`` phonemes is cut (the start of
    each piece after the first): pieces have at most ``limit`` phonemes.

    A piece too long is cut at the clause boundary nearest its middle, else at the word
    separator nearest its middle, else in its middle; the halves are cut again as needed.
    """
    if limit < 1:
        raise ValueError(f"a piece needs at least one phoneme; limit {limit}")
    symbols = sentence.phonemes
    # A cut at index k starts the next piece just after the separator at k - 1.
    words = [k + 1 for k, s in enumerate(symbols) if s == WORD_SEPARATOR and k > 0]
    clauses = [k for k in words if symbols[k - 2] in _CLAUSE_MARKS]
    cuts: list[int] = []

    def split(lo: int, hi: int) -> None:
        if hi - lo <= limit:
            return
        middle = (lo + hi) / 2
        for candidates in (clauses, words):
            inside = [k for k in candidates if lo < k < hi]
            if inside:
                cut = min(inside, key=lambda k: (abs(k - middle), k))
                break
        else:
            cut = (lo + hi) // 2
        split(lo, cut)
        cuts.append(cut)
        split(cut, hi)

    split(0, len(symbols))
    return cuts


def _slice(sentence: SentenceInput, start: int, end: int) -> SentenceInput:
    """The per-phoneme input of phonemes ``[start, end)``; words, events and text are left out
    (only the acoustic model sees a window; timings are laid out on the whole sentence)."""

    def part(values: list) -> list:
        return values[start:end] if values else []

    return dataclasses.replace(
        sentence,
        phoneme_ids=sentence.phoneme_ids[start:end],
        phonemes=sentence.phonemes[start:end],
        words=[],
        emotions=sentence.emotions[start:end],
        duration_scales=part(sentence.duration_scales),
        pitch_shifts=part(sentence.pitch_shifts),
        pitch_ranges=part(sentence.pitch_ranges),
        volumes=part(sentence.volumes),
        events=[],
    )


def plan_windows(
    sentence: SentenceInput, budget: int = PHONEME_BUDGET, context: int = CONTEXT_PHONEMES
) -> list[Window]:
    """The acoustic rows of one sentence, each at most ``budget`` phonemes.

    A sentence within the budget is one window: itself, kept whole.
    """
    n = len(sentence.phoneme_ids)
    if n <= budget:
        return [Window(sentence, 0, n, (0, n))]
    context = max(0, min(context, (budget - 1) // 4))
    bounds = [0, *cut_points(sentence, budget - 2 * context), n]
    windows = []
    for lo, hi in zip(bounds[:-1], bounds[1:], strict=True):
        start, end = max(0, lo - context), min(n, hi + context)
        windows.append(Window(_slice(sentence, start, end), start, end, (lo - start, hi - start)))
    return windows


def join(
    windows: list[Window], outputs: list[tuple[np.ndarray, np.ndarray]]
) -> tuple[np.ndarray, np.ndarray]:
    """The sentence's ``(mel [80, T_fr], durations [T_ph])`` from each window's output.

    Each window's own phonemes keep their durations and the mel frames they span; context
    frames are dropped.
    """
    if len(windows) == 1:
        return outputs[0]
    parts = [kept(window, output) for window, output in zip(windows, outputs, strict=True)]
    return np.concatenate([m for m, _ in parts], axis=1), np.concatenate([d for _, d in parts])


def kept(window: Window, output: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """One window's own part of its output: ``(mel [80, T_kept], durations [T_own])``, the
    frames its own phonemes span (a view of ``output``'s mel) and their durations."""
    mel, frames = output
    lo, hi = window.keep
    frames = np.asarray(frames, np.int64)
    first, last = int(frames[:lo].sum()), int(frames[:hi].sum())
    return mel[:, first:last], frames[lo:hi]


def window_targets(windows: list[Window], natural: list[np.ndarray], target: int) -> list[int]:
    """Frame targets per window so that the kept parts add up to about ``target`` frames.

    ``natural``: each window's natural durations [T_window]. The scale is the sentence's
    (target / natural kept frames), applied to each whole window, context included.
    """
    kept = sum(int(d[w.keep[0] : w.keep[1]].sum()) for w, d in zip(windows, natural, strict=True))
    scale = target / kept if kept > 0 else 1.0
    return [max(1, round(float(np.sum(d)) * scale)) for d in natural]


def reconcile(mel: np.ndarray, durations: np.ndarray, target: int) -> tuple[np.ndarray, np.ndarray]:
    """Make a joined sentence exactly ``target`` frames long.

    Windows meet their own targets exactly but the kept parts round at the cuts, so the sum
    can be off by a frame or two per cut. The difference is taken from (or added to) the
    longest phonemes, one frame each, by dropping (or repeating) their last mel frame.
    """
    durations = np.asarray(durations, np.int64).copy()
    difference = target - int(durations.sum())
    if difference == 0:
        return mel, durations
    count = min(abs(difference), len(durations))
    chosen = np.sort(np.argsort(-durations, kind="stable")[:count])
    ends = np.cumsum(durations)
    if difference < 0:
        chosen = chosen[durations[chosen] > 0]
        mel = np.delete(mel, ends[chosen] - 1, axis=1)
        durations[chosen] -= 1
    else:
        at = np.maximum(ends[chosen] - 1, 0)
        source = mel[:, at] if mel.shape[1] else np.zeros((mel.shape[0], len(at)), mel.dtype)
        mel = np.insert(mel, ends[chosen], source, axis=1)
        durations[chosen] += 1
    if int(durations.sum()) != target:  # more to move than phonemes: go round again
        return reconcile(mel, durations, target)
    return mel, durations
