"""Emotion specification: labels, blends, intensity, ADV vectors, inline markup, control rows."""

from emotts.emotion.control import build_control
from emotts.emotion.labels import (
    ALIASES,
    LABEL_ADV,
    LABELS,
    MSP_PODCAST_CODES,
    UNSUPPORTED_LABELS,
    canonical_label,
)
from emotts.emotion.markup import MarkupSegment, emotion_tag, escape, parse_markup
from emotts.emotion.spec import Emotion, EmotionSpec, parse_emotion
from emotts.emotion.syntax import ADV_RANGE, INTENSITY_RANGE

__all__ = [
    "ADV_RANGE",
    "ALIASES",
    "INTENSITY_RANGE",
    "LABELS",
    "LABEL_ADV",
    "MSP_PODCAST_CODES",
    "UNSUPPORTED_LABELS",
    "Emotion",
    "EmotionSpec",
    "MarkupSegment",
    "build_control",
    "canonical_label",
    "emotion_tag",
    "escape",
    "parse_emotion",
    "parse_markup",
]
