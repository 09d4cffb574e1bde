"""Emotion labels: the canonical set, corpus aliases and prototype ADV values.

Canonical labels are Ekman's six basic emotions plus ``neutral``. Corpora spell them
differently (ESD "Surprise", IEMOCAP/CREMA-D "hap", EmoV-DB "amused"), so every name a user or
recipe gives goes through :func:`canonical_label`. Names that have no honest counterpart among
the canonical labels (EmoV-DB "sleepy", RAVDESS "calm", "contempt") are rejected with the
reason, rather than aliased to a label that would misdescribe them: use an ADV vector instead.
"""

from __future__ import annotations

import difflib

from emotts.errors import EmotionSpecError

#: Canonical labels in the order voices and control tensors use by default.
LABELS: tuple[str, ...] = ("neutral", "happy", "angry", "sad", "surprised", "fearful", "disgusted")

#: Other spellings -> canonical label. Keys are lower case; lookup is case-insensitive.
ALIASES: dict[str, str] = {
    # Three-letter codes used by IEMOCAP and CREMA-D.
    "neu": "neutral",
    "hap": "happy",
    "ang": "angry",
    "sur": "surprised",
    "fea": "fearful",
    "dis": "disgusted",
    "happiness": "happy",
    "joy": "happy",
    "joyful": "happy",
    # EmoV-DB "amused" (laughing speech) is positive-valence, aroused: happy is its nearest
    # prototype. IEMOCAP "excited" is merged into happy by common practice.
    "amused": "happy",
    "amusement": "happy",
    "excited": "happy",
    "exc": "happy",
    "anger": "angry",
    "sadness": "sad",
    "surprise": "surprised",
    "fear": "fearful",
    "afraid": "fearful",
    "scared": "fearful",
    "disgust": "disgusted",
}

#: Names corpora use that deliberately have no canonical label, with the reason.
UNSUPPORTED_LABELS: dict[str, str] = {
    "sleepy": "EmoV-DB 'sleepy' is low arousal, not one of the basic emotions",
    "calm": "RAVDESS 'calm' is low-arousal and pleasant, which neither neutral nor sad describes",
    "contempt": "contempt (MSP-Podcast 'C') has no prototype in the published table used here",
}

#: MSP-Podcast one-letter emotion codes. ``None``: contempt, other and no agreement stay
#: unlabelled. Kept apart from ALIASES because single letters are too easy to type by accident.
MSP_PODCAST_CODES: dict[str, str | None] = {
    "N": "neutral",
    "H": "happy",
    "A": "angry",
    "S": "sad",
    "U": "surprised",
    "F": "fearful",
    "D": "disgusted",
    "C": None,
    "O": None,
    "X": None,
}

#: Prototype (arousal, dominance, valence) per label, from Russell & Mehrabian (1977),
#: "Evidence for a three-factor theory of emotions", J. Research in Personality 11(3):273-294,
#: whose table gives (pleasure, arousal, dominance); reordered here to (A, D, V) with V = P.
LABEL_ADV: dict[str, tuple[float, float, float]] = {
    "neutral": (0.0, 0.0, 0.0),
    "happy": (0.51, 0.46, 0.81),
    "angry": (0.59, 0.25, -0.51),
    "sad": (-0.27, -0.33, -0.63),
    "surprised": (0.67, -0.13, 0.40),
    "fearful": (0.60, -0.43, -0.64),
    "disgusted": (0.35, 0.11, -0.60),
}


def lookup_label(name: str) -> str | None:
    """The canonical label for ``name`` (case-insensitive, surrounding spaces ignored), or None."""
    key = name.strip().lower()
    if key in LABELS:
        return key
    return ALIASES.get(key)


def unknown_label_problem(name: str) -> str:
    """Why ``name`` is not a label, with the closest accepted name when there is one."""
    problem, hint = label_problem_parts(name)
    return f"{problem}{hint}"


def label_problem_parts(name: str) -> tuple[str, str]:
    """:func:`unknown_label_problem` split into the problem and a hint (the reason a label is
    unsupported, or the closest accepted name; empty when nothing is close), so that a parser
    can put the input position between them."""
    key = name.strip().lower()
    if key in UNSUPPORTED_LABELS:
        return (
            f"emotion label {name!r} is not supported",
            f" ({UNSUPPORTED_LABELS[key]}); describe it with an ADV vector"
            " (arousal,dominance,valence) instead",
        )
    problem = f"unknown emotion label {name!r}"
    close = difflib.get_close_matches(key, [*LABELS, *ALIASES], n=1, cutoff=0.6)
    if not close:
        return problem, ""
    target = lookup_label(close[0])
    alias_note = "" if close[0] == target else f" (= {target})"
    return problem, f"; did you mean {close[0]!r}{alias_note}?"


def join_message(problem: str, accepted: str) -> str:
    """``problem`` and ``accepted`` as two sentences (a problem may already end in '?')."""
    return f"{problem}{' ' if problem.endswith('?') else '. '}{accepted}"


def accepted_labels_text() -> str:
    """One sentence listing the canonical labels and their aliases."""
    return f"Accepted labels: {', '.join(LABELS)}; aliases: {', '.join(sorted(ALIASES))}"


def canonical_label(name: str) -> str:
    """Map a label or alias to its canonical name; raise :class:`EmotionSpecError` otherwise."""
    if not isinstance(name, str):
        raise EmotionSpecError(
            f"an emotion label must be a string, got {name!r}. {accepted_labels_text()}"
        )
    label = lookup_label(name)
    if label is None:
        raise EmotionSpecError(join_message(unknown_label_problem(name), accepted_labels_text()))
    return label
