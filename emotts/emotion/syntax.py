"""Position-aware parsers for the value grammars shared by the CLI forms and the markup.

Every parser takes the text to read and ``base``, the offset of that text inside the whole
input, so an error inside a markup attribute reports its position in the whole document.
Errors say what is wrong, where, and what is accepted; nothing is clamped or dropped.
"""

from __future__ import annotations

import math
import re
from numbers import Real

from emotts.emotion.labels import (
    accepted_labels_text,
    join_message,
    label_problem_parts,
    lookup_label,
)
from emotts.errors import EmotionSpecError

INTENSITY_RANGE = (-1.0, 2.0)
ADV_RANGE = (-1.0, 1.0)
# Classifier-free emotion guidance of flow voices: 1 = plain conditional, 0 = emotion-free,
# above 1 stronger than trained, below 0 away from the emotion (docs/flow-decoder.md).
GUIDANCE_RANGE = (-2.0, 6.0)
ADV_COMPONENTS = ("arousal", "dominance", "valence")

ADV_HELP = "Accepted: three numbers arousal,dominance,valence, each in [-1, 1], e.g. 0.7,0.2,-0.5"
INTENSITY_HELP = (
    "Accepted: a number in [-1, 2] (0 neutral, 1 as trained, 2 exaggerated, "
    "below 0 opposite polarity)"
)
GUIDANCE_HELP = (
    "Accepted: a number in [-2, 6] (1 as trained, 0 no emotion, above 1 stronger; flow voices only)"
)
BLEND_HELP = (
    "Accepted: label:weight pairs separated by commas, weights non-negative and not all zero, "
    "e.g. happy:0.6,surprised:0.4"
)

# Plain decimal numbers only: float() would also take "nan", "inf", "1_0" and non-ASCII digits.
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")

Token = tuple[str, int]
"""A piece of the input with surrounding whitespace removed, and its absolute offset."""


def spec_error(
    problem: str, position: int | None, accepted: str, hint: str = ""
) -> EmotionSpecError:
    """An error whose message gives the problem, the position (when known), an optional hint
    and what is accepted."""
    where = "" if position is None else f" at position {position}"
    return EmotionSpecError(join_message(f"{problem}{where}{hint}", accepted))


def strip_token(text: str, base: int) -> Token:
    """``text`` without surrounding whitespace and the offset of its first kept character."""
    kept = text.lstrip()
    return kept.rstrip(), base + len(text) - len(kept)


def split_tokens(text: str, sep: str, base: int) -> list[Token]:
    """Split on ``sep`` keeping every piece (empty ones too, so they can be reported)."""
    tokens = []
    offset = base
    for part in text.split(sep):
        tokens.append(strip_token(part, offset))
        offset += len(part) + len(sep)
    return tokens


def parse_number(token: str, position: int, what: str, accepted: str) -> float:
    """A finite decimal number, or an error naming ``what`` was expected."""
    if not token:
        raise spec_error(f"{what} is missing", position, accepted)
    if _NUMBER.fullmatch(token):
        value = float(token)
        if math.isinf(value):
            raise spec_error(f"{what} {token!r} is too large", position, accepted)
        return value
    try:
        special = float(token)
    except ValueError:
        special = None
    if special is not None and not math.isfinite(special):
        raise spec_error(f"{what} must be a finite number, got {token!r}", position, accepted)
    raise spec_error(f"{what} {token!r} is not a number", position, accepted)


def check_real(value: object, what: str, accepted: str, position: int | None = None) -> float:
    """``value`` as a float if it is a finite real number (bools are not numbers here)."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise spec_error(f"{what} must be a number, got {value!r}", position, accepted)
    number = float(value)
    if not math.isfinite(number):
        raise spec_error(f"{what} must be a finite number, got {value!r}", position, accepted)
    return number


def check_range(
    value: float, bounds: tuple[float, float], what: str, accepted: str, position: int | None
) -> float:
    """``value`` unchanged if inside ``bounds``; out-of-range values are errors, never clamped."""
    low, high = bounds
    if not low <= value <= high:
        raise spec_error(f"{what} {value!r} is outside [{low:g}, {high:g}]", position, accepted)
    return value


def parse_label(token: str, position: int) -> str:
    """The canonical label for ``token``."""
    if not token:
        raise spec_error("emotion label is missing", position, accepted_labels_text())
    label = lookup_label(token)
    if label is None:
        problem, hint = label_problem_parts(token)
        raise spec_error(problem, position, accepted_labels_text(), hint)
    return label


def parse_blend(text: str, base: int) -> tuple[tuple[str, float], ...]:
    """``happy`` or ``happy:0.6,sad:0.4`` as (canonical label, raw weight) pairs in input order."""
    items = split_tokens(text, ",", base)
    if len(items) == 1 and ":" not in items[0][0]:
        return ((parse_label(*items[0]), 1.0),)
    first_seen: dict[str, Token] = {}
    pairs = []
    for token, position in items:
        if not token:
            raise spec_error("empty blend entry", position, BLEND_HELP)
        name, colon, weight = token.partition(":")
        if not colon:
            raise spec_error(f"blend entry {token!r} has no weight", position, BLEND_HELP)
        name_token, name_position = strip_token(name, position)
        label = parse_label(name_token, name_position)
        if label in first_seen:
            earlier, earlier_position = first_seen[label]
            raise spec_error(
                f"label {label!r} appears twice in the blend (first as {earlier!r} at "
                f"position {earlier_position}, again as {name_token!r})",
                name_position,
                "Accepted: each label at most once in a blend",
            )
        first_seen[label] = (name_token, name_position)
        weight_token, weight_position = strip_token(weight, position + len(name) + 1)
        value = parse_number(weight_token, weight_position, f"weight of {label!r}", BLEND_HELP)
        if value < 0:
            raise spec_error(
                f"weight of {label!r} is negative ({weight_token})", weight_position, BLEND_HELP
            )
        pairs.append((label, value))
    if all(value == 0 for _, value in pairs):
        raise spec_error("blend weights sum to zero", items[0][1], BLEND_HELP)
    return tuple(pairs)


def parse_adv(text: str, base: int) -> tuple[float, float, float]:
    """``0.7,0.2,-0.5`` as an (arousal, dominance, valence) triple, each in [-1, 1]."""
    stripped, position = strip_token(text, base)
    if not stripped:
        raise spec_error("ADV vector is empty", position, ADV_HELP)
    items = split_tokens(text, ",", base)
    if len(items) != len(ADV_COMPONENTS):
        raise spec_error(
            f"ADV vector {stripped!r} has {len(items)} components, not 3", position, ADV_HELP
        )
    arousal, dominance, valence = (
        check_range(parse_number(token, at, name, ADV_HELP), ADV_RANGE, name, ADV_HELP, at)
        for (token, at), name in zip(items, ADV_COMPONENTS, strict=True)
    )
    return arousal, dominance, valence


def parse_guidance(text: str, base: int) -> float:
    """A guidance weight in GUIDANCE_RANGE."""
    token, position = strip_token(text, base)
    value = parse_number(token, position, "guidance", GUIDANCE_HELP)
    return check_range(value, GUIDANCE_RANGE, "guidance", GUIDANCE_HELP, position)


def parse_intensity(text: str, base: int) -> float:
    """A number in [-1, 2]."""
    token, position = strip_token(text, base)
    value = parse_number(token, position, "intensity", INTENSITY_HELP)
    return check_range(value, INTENSITY_RANGE, "intensity", INTENSITY_HELP, position)
