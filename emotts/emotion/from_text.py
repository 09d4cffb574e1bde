"""Infer a sentence's emotion from its words (``-e auto``, ``<emotion name="auto">``).

An offline lexicon method, chosen because every piece may ship with emotts and runs in
microseconds: cue words per label (``text_lexicon.yaml``, written for emotts) plus the
valence of the whole sentence from VADER (Hutto & Gilbert 2014, MIT licensed, its lexicon
ships in the ``vadersentiment`` wheel). NRC lexicons are research-only, so they are not used.

For each label the score is the sum of its cue hits (strong 1, weak 0.5; a cue with a negation
among the three words before it does not count), scaled up when VADER's valence agrees with
the label's sign and down when it disagrees. Punctuation adds arousal cues: a question that
is not introduced by a question word reads as surprise ("You finished it already?"), and
``!`` strengthens whatever was found. A sentence with no cue but a clearly positive valence
leans happy. The probabilities put a fixed neutral mass beside the scores, so a sentence with
few or mixed cues stays neutral: the label is used only when its probability reaches
``threshold``.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from pathlib import Path

import yaml

from emotts.emotion.labels import LABEL_ADV, LABELS
from emotts.emotion.spec import EmotionSpec
from emotts.emotion.syntax import INTENSITY_HELP, parse_intensity, split_tokens
from emotts.errors import EmotionSpecError

#: The emotion name that asks for inference from the text (``-e auto``, ``name="auto"``).
AUTO = "auto"

LEXICON_PATH = Path(__file__).with_name("text_lexicon.yaml")
#: Below this probability of the best label the estimate stays neutral.
DEFAULT_THRESHOLD = 0.45
#: Score mass given to "no emotion": one strong cue against it gives p = 1 / 1.6.
NEUTRAL_MASS = 0.6
_CUE_WEIGHTS = {"strong": 1.0, "weak": 0.5}
_NEGATORS = frozenset({"not", "no", "never", "nobody", "nothing", "without", "hardly"})
_QUESTION_WORDS = frozenset(
    [
        "what",
        "who",
        "whom",
        "whose",
        "when",
        "where",
        "why",
        "how",
        "which",
        "is",
        "are",
        "am",
        "was",
        "were",
        "do",
        "does",
        "did",
        "can",
        "could",
        "will",
        "would",
        "shall",
        "should",
        "may",
        "might",
        "must",
        "have",
        "has",
        "had",
        "isn't",
        "aren't",
        "don't",
        "doesn't",
        "didn't",
        "won't",
        "wouldn't",
        "can't",
        "couldn't",
        "shouldn't",
    ]
)
_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")


@dataclasses.dataclass(frozen=True)
class TextEmotionEstimate:
    """The emotion read from one piece of text.

    probabilities: every canonical label (neutral included) -> probability, summing to 1.
    label: the most probable label, or "neutral" when its probability is below the threshold.
    confidence: the probability of the most probable emotional label.
    valence: VADER's compound valence of the text in [-1, 1].
    """

    text: str
    label: str
    confidence: float
    probabilities: dict[str, float]
    valence: float

    def spec(self, intensity: float = 1.0) -> EmotionSpec:
        """The estimate as an ordinary spec (the label at ``intensity``; neutral stays 1)."""
        if self.label == "neutral":
            return EmotionSpec.neutral()
        return EmotionSpec.label(self.label, intensity)


@functools.cache
def _lexicon() -> dict[str, list[tuple[tuple[str, ...], float]]]:
    """label -> [(cue as a word tuple, weight)], multi-word cues first (they consume words)."""
    data = yaml.safe_load(LEXICON_PATH.read_text(encoding="utf-8"))
    cues: dict[str, list[tuple[tuple[str, ...], float]]] = {}
    for label, groups in data.items():
        entries = [
            (tuple(cue.split()), _CUE_WEIGHTS[kind])
            for kind, words in groups.items()
            for cue in words
        ]
        cues[label] = sorted(entries, key=lambda entry: -len(entry[0]))
    return cues


@functools.cache
def _vader():
    try:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
    except ImportError:
        raise EmotionSpecError(
            "emotion 'auto' (from the text) needs the vadersentiment package. "
            "Accepted: install it with pip install 'emotts[text-emotion]', or give an emotion"
        ) from None
    return SentimentIntensityAnalyzer()


def _matches(cue: str, word: str) -> bool:
    return word.startswith(cue[:-1]) if cue.endswith("*") else word == cue


def _negated(words: list[str], index: int) -> bool:
    if index and words[index - 1] == "stop":
        return False  # "can't stop smiling" affirms the smile
    before = words[max(0, index - 3) : index]
    return any(w in _NEGATORS or w.endswith("n't") for w in before)


def _cue_scores(words: list[str]) -> dict[str, float]:
    scores = dict.fromkeys(_lexicon(), 0.0)
    used = [False] * len(words)
    # Longest cues first across all labels, so "can't believe" is read before "believe".
    entries = sorted(
        ((cue, weight, label) for label, cues in _lexicon().items() for cue, weight in cues),
        key=lambda entry: -len(entry[0]),
    )
    for cue, weight, label in entries:
        size = len(cue)
        for start in range(len(words) - size + 1):
            window = range(start, start + size)
            if any(used[i] for i in window):
                continue
            if all(_matches(part, words[i]) for part, i in zip(cue, window, strict=True)):
                for i in window:
                    used[i] = True
                # A multi-word cue carries its own negation ("can't stand"); words do not.
                if size > 1 or not _negated(words, start):
                    scores[label] += weight
    return scores


def estimate_text_emotion(text: str, threshold: float = DEFAULT_THRESHOLD) -> TextEmotionEstimate:
    """The emotion of ``text`` (one sentence or span) from its words."""
    if not isinstance(text, str):
        raise EmotionSpecError(f"text to read an emotion from must be a string, got {text!r}")
    if not 0.0 <= threshold <= 1.0:
        raise EmotionSpecError(f"confidence threshold {threshold!r} is outside [0, 1]")
    cleaned = text.lower().replace("\u2019", "'").replace("\u2018", "'")
    words = _WORD.findall(cleaned)
    scores = _cue_scores(words)
    stripped = cleaned.rstrip(" \"')]»”")
    if stripped.endswith("?") and words and words[0] not in _QUESTION_WORDS:
        scores["surprised"] += 0.75
    valence = float(_vader().polarity_scores(text)["compound"])
    for label in scores:
        sign = LABEL_ADV[label][2]
        if label == "surprised" or abs(valence) < 0.05:
            continue  # surprise comes in both valences
        scores[label] *= 1.5 if (sign > 0) == (valence > 0) else 0.5
    if not any(scores.values()) and valence >= 0.5:
        scores["happy"] = valence
    if "!" in cleaned:
        scores = {label: score * 1.25 for label, score in scores.items()}
    total = NEUTRAL_MASS + sum(scores.values())
    probabilities = {label: scores.get(label, 0.0) / total for label in LABELS}
    probabilities["neutral"] = NEUTRAL_MASS / total
    best = max(scores, key=lambda label: (scores[label], -LABELS.index(label)))
    confidence = probabilities[best]
    label = best if confidence >= threshold and scores[best] > 0 else "neutral"
    return TextEmotionEstimate(text, label, confidence, probabilities, valence)


@dataclasses.dataclass(frozen=True)
class AutoEmotion:
    """ "Read the emotion from the words": each sentence (or ``<emotion name="auto">`` span
    within one) gets :func:`estimate_text_emotion` of its text, at ``intensity``."""

    intensity: float = 1.0
    threshold: float = DEFAULT_THRESHOLD

    def __str__(self) -> str:
        return AUTO if self.intensity == 1.0 else f"{AUTO}; intensity={self.intensity!r}"

    def resolve(self, text: str) -> tuple[EmotionSpec, TextEmotionEstimate]:
        """The spec to speak ``text`` with, and the estimate it came from."""
        estimate = estimate_text_emotion(text, self.threshold)
        return estimate.spec(self.intensity), estimate


def is_auto(text: object) -> bool:
    """True when an ``-e`` value asks for ``auto`` (optionally ``; intensity=X``)."""
    return isinstance(text, str) and text.split(";", 1)[0].strip().lower() == AUTO


def parse_auto(text: str, intensity: float | None = None) -> AutoEmotion:
    """``auto`` or ``auto; intensity=X`` (or ``intensity`` given apart, not both)."""
    parts = split_tokens(text, ";", 0)
    written = None
    for token, position in parts[1:]:
        key, equals, value = token.partition("=")
        if not equals or key.strip().lower() != "intensity" or written is not None:
            raise EmotionSpecError(
                f"unexpected {token!r} after auto at position {position}. "
                f"Accepted: auto or 'auto; intensity=X'; {INTENSITY_HELP}"
            )
        written = parse_intensity(value, position + len(key) + 1)
    if written is not None and intensity is not None:
        raise EmotionSpecError(
            "intensity is given both inside the emotion text and as --intensity. "
            "Accepted: one of them"
        )
    chosen = written if written is not None else intensity
    return AutoEmotion() if chosen is None else AutoEmotion(parse_intensity(repr(chosen), 0))


def resolve_auto(
    text: str, emotions: list, sentences: list[tuple[int, int]]
) -> tuple[list[EmotionSpec], list[tuple[EmotionSpec, TextEmotionEstimate]]]:
    """Replace every run of :class:`AutoEmotion` in ``emotions`` (one entry per character of
    ``text``) by the estimate of that run's text; runs are cut at the ``sentences`` spans.

    Returns the per-character specs and, in text order, each run's spec and estimate.
    """
    resolved = list(emotions)
    estimates = []
    for start, end in sentences:
        index = start
        while index < end:
            auto = resolved[index]
            if not isinstance(auto, AutoEmotion):
                index += 1
                continue
            stop = index
            while stop < end and resolved[stop] is auto:
                stop += 1
            if text[index:stop].strip():
                spec, estimate = auto.resolve(text[index:stop])
                estimates.append((spec, estimate))
            else:
                spec = EmotionSpec.neutral()
            resolved[index:stop] = [spec] * (stop - index)
            index = stop
    # Characters outside every sentence (whitespace between them) are never spoken.
    return [e if isinstance(e, EmotionSpec) else EmotionSpec.neutral() for e in resolved], estimates
