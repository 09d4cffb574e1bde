"""``EmotionSpec``: what one span of speech should feel like, and its text form.

A spec is either a blend of canonical labels (weights summing to 1; a single label is a blend
of one) or an (arousal, dominance, valence) vector, plus an intensity in [-1, 2]. The text form,
also produced by ``str(spec)``, is::

    happy                                a label or alias
    happy:0.6,surprised:0.4              a blend
    adv=0.7,0.2,-0.5                     an ADV vector
    happy:0.6,surprised:0.4; intensity=1.4   any of these with an intensity
"""

from __future__ import annotations

import dataclasses
import math
import sys
import types
from collections.abc import Callable, Mapping
from typing import Any

from emotts.emotion.labels import LABELS, canonical_label
from emotts.emotion.syntax import (
    ADV_COMPONENTS,
    ADV_HELP,
    ADV_RANGE,
    BLEND_HELP,
    GUIDANCE_HELP,
    GUIDANCE_RANGE,
    INTENSITY_HELP,
    INTENSITY_RANGE,
    check_range,
    check_real,
    parse_adv,
    parse_blend,
    parse_intensity,
    spec_error,
    split_tokens,
    strip_token,
)

EMOTION_HELP = (
    "Accepted: a label (happy), a blend (happy:0.6,surprised:0.4) or adv=<arousal>,<dominance>,"
    "<valence>, optionally followed by '; intensity=<number in [-1, 2]>'"
)
# Weights already this close to summing to 1 are kept as given, so that normalized weights
# printed by str() and parsed back are bit-for-bit equal (dividing again could move an ulp).
_SUM_TOLERANCE = 8 * sys.float_info.epsilon


def _canonical_weights(pairs: object) -> tuple[tuple[str, float], ...]:
    """Validate (label, weight) pairs; normalize to sum 1; order as in ``LABELS``."""
    if isinstance(pairs, str | bytes) or not hasattr(pairs, "__iter__"):
        raise spec_error(f"weights must be (label, weight) pairs, got {pairs!r}", None, BLEND_HELP)
    seen: dict[str, float] = {}
    for pair in pairs:
        if not isinstance(pair, tuple | list) or len(pair) != 2:
            raise spec_error(
                f"weights entry {pair!r} is not a (label, weight) pair", None, BLEND_HELP
            )
        label = canonical_label(pair[0])
        if label in seen:
            raise spec_error(
                f"label {label!r} appears twice in the blend", None, "Accepted: each label once"
            )
        weight = check_real(pair[1], f"weight of {label!r}", BLEND_HELP)
        if weight < 0:
            raise spec_error(f"weight of {label!r} is negative ({weight!r})", None, BLEND_HELP)
        seen[label] = weight
    if not seen:
        raise spec_error("blend is empty", None, BLEND_HELP)
    largest = max(seen.values())
    if largest == 0:
        raise spec_error("blend weights sum to zero", None, BLEND_HELP)
    if largest > 1 or abs(math.fsum(seen.values()) - 1.0) > _SUM_TOLERANCE:
        # Scale by the largest weight first so that huge weights cannot overflow the sum.
        scaled = {label: weight / largest for label, weight in seen.items()}
        total = math.fsum(scaled.values())
        seen = {label: weight / total for label, weight in scaled.items()}
    return tuple((label, seen[label]) for label in LABELS if label in seen)


def _checked_adv(values: object) -> tuple[float, float, float]:
    if isinstance(values, str | bytes) or not hasattr(values, "__len__") or len(values) != 3:
        raise spec_error(f"ADV must have 3 components, got {values!r}", None, ADV_HELP)
    arousal, dominance, valence = (
        check_range(check_real(value, name, ADV_HELP), ADV_RANGE, name, ADV_HELP, None)
        for value, name in zip(values, ADV_COMPONENTS, strict=True)
    )
    return arousal, dominance, valence


def _checked_intensity(value: object) -> float:
    number = check_real(value, "intensity", INTENSITY_HELP)
    return check_range(number, INTENSITY_RANGE, "intensity", INTENSITY_HELP, None)


def _checked_guidance(value: object) -> float | None:
    if value is None:
        return None
    number = check_real(value, "guidance", GUIDANCE_HELP)
    return check_range(number, GUIDANCE_RANGE, "guidance", GUIDANCE_HELP, None)


@dataclasses.dataclass(frozen=True)
class EmotionSpec:
    """One emotion: label ``weights`` (canonical labels, sum 1) or an ``adv`` vector, exactly
    one of the two, and an ``intensity`` (0 neutral, 1 as trained, 2 exaggerated, -1 opposite).
    ``guidance`` (flow voices only) is the span's own emotion guidance weight, as set by
    ``<emotion ... guidance="2">``; None: the request's (``synthesize(guidance=...)``).

    Build it with :meth:`label`, :meth:`mix`, :meth:`adv`, :meth:`neutral` or
    :func:`parse_emotion`; direct construction validates and normalizes the same way.
    """

    weights: tuple[tuple[str, float], ...] | None = None
    adv: tuple[float, float, float] | None = None
    intensity: float = 1.0
    guidance: float | None = None

    def __post_init__(self) -> None:
        if (self.weights is None) == (self.adv is None):
            raise spec_error(
                "an emotion needs exactly one of label weights and an ADV vector",
                None,
                EMOTION_HELP,
            )
        object.__setattr__(self, "intensity", _checked_intensity(self.intensity))
        object.__setattr__(self, "guidance", _checked_guidance(self.guidance))
        if self.weights is not None:
            object.__setattr__(self, "weights", _canonical_weights(self.weights))
        else:
            object.__setattr__(self, "adv", _checked_adv(self.adv))

    @classmethod
    def label(cls, name: str, intensity: float = 1.0) -> EmotionSpec:
        """A single label (or alias), e.g. ``EmotionSpec.label("joy", 1.2)``."""
        return cls(weights=((canonical_label(name), 1.0),), intensity=intensity)

    @classmethod
    def mix(cls, weights: Mapping[str, float] | str, intensity: float = 1.0) -> EmotionSpec:
        """A blend from ``{"happy": 0.6, "sad": 0.4}`` or ``"happy:0.6,sad:0.4"``."""
        if isinstance(weights, str):
            return cls(weights=parse_blend(weights, 0), intensity=intensity)
        if not isinstance(weights, Mapping):
            raise spec_error(
                f"a blend must be a mapping or a string, got {weights!r}", None, BLEND_HELP
            )
        return cls(weights=tuple(weights.items()), intensity=intensity)

    @classmethod
    def neutral(cls) -> EmotionSpec:
        """The neutral label at intensity 1."""
        return cls.label("neutral")

    def with_intensity(self, intensity: float) -> EmotionSpec:
        """The same emotion at another intensity."""
        return dataclasses.replace(self, intensity=intensity)

    @property
    def is_adv(self) -> bool:
        """True when this spec is an ADV vector rather than label weights."""
        return self.adv is not None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: ``{"weights": {label: w}, "intensity": x}`` or ``{"adv": [...], ...}``."""
        if self.adv is not None:
            return {"adv": list(self.adv), "intensity": self.intensity}
        return {"weights": dict(self.weights or ()), "intensity": self.intensity}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> EmotionSpec:
        """Inverse of :meth:`to_dict`; unknown keys are errors."""
        accepted = "Accepted keys: weights (mapping label -> weight) or adv (3 numbers), intensity"
        if not isinstance(data, Mapping):
            raise spec_error(f"an emotion dict must be a mapping, got {data!r}", None, accepted)
        unknown = sorted(set(data) - {"weights", "adv", "intensity"})
        if unknown:
            raise spec_error(f"unknown emotion keys {unknown}", None, accepted)
        weights = data.get("weights")
        if weights is not None and not isinstance(weights, Mapping):
            raise spec_error(f"weights must be a mapping, got {weights!r}", None, accepted)
        return cls(
            weights=None if weights is None else tuple(weights.items()),
            adv=data.get("adv"),
            intensity=data.get("intensity", 1.0),
        )

    def __str__(self) -> str:
        if self.adv is not None:
            body = "adv=" + ",".join(repr(value) for value in self.adv)
        elif self.weights is not None and len(self.weights) == 1 and self.weights[0][1] == 1.0:
            body = self.weights[0][0]
        else:
            body = ",".join(f"{label}:{weight!r}" for label, weight in self.weights or ())
        if self.intensity == 1.0:
            return body
        return f"{body}; intensity={self.intensity!r}"


class _ConstructorOnClass:
    """A constructor when read from the class; the dataclass field when read from an instance.

    Why: the public contract names both the field ``spec.adv`` and the constructor
    ``EmotionSpec.adv(a, d, v)``. This descriptor has no ``__set__``, so the value the frozen
    dataclass stores in each instance's ``__dict__`` takes precedence on instances.
    """

    def __init__(self, build: Callable[..., EmotionSpec]) -> None:
        self._build = build
        self.__doc__ = build.__doc__

    def __get__(self, instance: object, owner: type) -> Callable[..., EmotionSpec]:
        return types.MethodType(self._build, owner)


def _adv_constructor(
    cls: type[EmotionSpec], arousal: float, dominance: float, valence: float, intensity: float = 1.0
) -> EmotionSpec:
    """An ADV vector, each component in [-1, 1], e.g. ``EmotionSpec.adv(0.7, 0.2, -0.5)``."""
    return cls(adv=(arousal, dominance, valence), intensity=intensity)


EmotionSpec.adv = _ConstructorOnClass(_adv_constructor)  # type: ignore[assignment]

Emotion = EmotionSpec


def _parse_text(text: str) -> tuple[EmotionSpec, float | None]:
    """The ``-e`` text form: the spec at intensity 1 and the intensity it gave, if any."""
    parts = split_tokens(text, ";", 0)
    body, body_position = parts[0]
    if not body:
        raise spec_error("emotion is missing", body_position, EMOTION_HELP)
    intensity: float | None = None
    for token, position in parts[1:]:
        key, equals, value = token.partition("=")
        if not equals or key.strip().lower() != "intensity":
            raise spec_error(f"unknown option {token!r}", position, EMOTION_HELP)
        if intensity is not None:
            raise spec_error("intensity is given twice", position, EMOTION_HELP)
        intensity = parse_intensity(value, position + len(key) + 1)
    head, equals, rest = body.partition("=")
    if not equals:
        return EmotionSpec(weights=parse_blend(body, body_position)), intensity
    key, key_position = strip_token(head, body_position)
    if key.lower() != "adv":
        raise spec_error(f"unknown key {key!r} before '='", key_position, EMOTION_HELP)
    return EmotionSpec(adv=parse_adv(rest, body_position + len(head) + 1)), intensity


def parse_emotion(
    text: str | None, intensity: float | None = None, adv: str | None = None
) -> EmotionSpec:
    """The command-line forms: ``-e TEXT``, ``--intensity X``, ``--adv A,D,V``.

    ``-e`` and ``--adv`` exclude each other; with neither the result is neutral. An intensity
    written inside TEXT and ``intensity`` together are an error, not an override.
    """
    if text is not None and adv is not None:
        raise spec_error(
            "both an emotion (-e) and an ADV vector (--adv) are given",
            None,
            "Accepted: one of them; write the ADV inside -e as adv=A,D,V if you prefer",
        )
    for value, name in ((text, "emotion"), (adv, "ADV vector")):
        if value is not None and not isinstance(value, str):
            raise spec_error(f"{name} must be a string, got {value!r}", None, EMOTION_HELP)
    text_intensity = None
    if adv is not None:
        spec = EmotionSpec(adv=parse_adv(adv, 0))
    elif text is not None:
        if not text.strip():
            raise spec_error("emotion is empty", 0, EMOTION_HELP)
        spec, text_intensity = _parse_text(text)
    else:
        spec = EmotionSpec.neutral()
    if text_intensity is not None and intensity is not None:
        raise spec_error(
            "intensity is given both inside the emotion text and as --intensity",
            None,
            "Accepted: one of them",
        )
    if intensity is not None:
        return spec.with_intensity(intensity)
    if text_intensity is not None:
        return spec.with_intensity(text_intensity)
    return spec
