"""What one synthesis request from the page asks for, validated into API arguments.

Everything here is plain Python (no gradio), so the page's rules are unit-testable: a bad
request raises an `EmottsError` whose message the page shows as it is.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from emotts.demo.flow_controls import FlowSettings
from emotts.emotion.labels import LABELS
from emotts.emotion.markup import MarkupSegment, parse_markup
from emotts.emotion.spec import EmotionSpec
from emotts.errors import ControlError, TextError
from emotts.text.marked import MarkedText
from emotts.text.ssml import looks_like_ssml, parse_ssml

# Longest text the page accepts. Synthesis runs on the server's CPU inside a shared queue, so
# one request must not hold it for minutes; 1000 characters is about a minute of speech.
MAX_TEXT_CHARS = 1000
EMOTION_KINDS = ("label", "blend", "adv", "clip")


@dataclass(frozen=True)
class EmotionChoice:
    """The page's emotion controls; ``kind`` says which of them is active."""

    kind: str = "label"
    label: str = "neutral"
    intensity: float = 1.0
    mix: Mapping[str, float] = field(default_factory=dict)
    adv: tuple[float, float, float] = (0.0, 0.0, 0.0)
    clip: str | None = None  # uploaded reference audio (kind "clip")


def build_emotion(choice: EmotionChoice) -> EmotionSpec:
    """The `EmotionSpec` the active control describes (the inactive ones are ignored)."""
    if choice.kind == "label":
        return EmotionSpec.label(choice.label, intensity=choice.intensity)
    if choice.kind == "blend":
        # Zero-weight sliders are left out so the spec (and its printed form) names only the
        # labels that take part; all-zero still reaches EmotionSpec and gets its error message.
        weights = {label: w for label, w in choice.mix.items() if w > 0} or dict(choice.mix)
        return EmotionSpec.mix(weights, intensity=choice.intensity)
    if choice.kind == "adv":
        arousal, dominance, valence = choice.adv
        return EmotionSpec.adv(arousal, dominance, valence, intensity=choice.intensity)
    if choice.kind == "clip":
        if not choice.clip:
            raise ControlError("no reference clip: upload or record an audio clip first")
        from emotts.emotion.from_clip import estimate_clip_emotion

        return estimate_clip_emotion(choice.clip).spec(intensity=choice.intensity)
    raise ControlError(
        f"unknown emotion kind {choice.kind!r}; accepted: {', '.join(EMOTION_KINDS)}"
    )


def check_text(
    text: str | None, read: Callable[[str], MarkedText] | None = None
) -> tuple[str, list[MarkupSegment]]:
    """Reject empty or over-long text and malformed markup; returns the text and its segments.

    ``read``: the voice's reader (``voice.frontend.read``), which knows its language and pitch
    for SSML; without one, SSML is read with no voice statistics and markup as markup.
    """
    text = (text or "").strip()
    if not text:
        raise TextError("the text is empty; type a sentence to speak (markup allowed)")
    if len(text) > MAX_TEXT_CHARS:
        raise TextError(
            f"the text has {len(text)} characters; the demo accepts at most {MAX_TEXT_CHARS}. "
            "Split it, or use `emotts synth` / the Python API for long texts"
        )
    if read is not None:
        segments = read(text).segments
    else:
        segments = parse_ssml(text).segments if looks_like_ssml(text) else parse_markup(text)
    if not "".join(segment.text for segment in segments).strip():
        raise TextError("the text has markup but no words inside it; put words to speak in it")
    return text, segments


@dataclass(frozen=True)
class SynthesisRequest:
    """One press of "Synthesize": text, voice, emotion and prosody controls."""

    text: str
    voice: str
    backend: str = "torch"
    speaker: str | None = None
    emotion: EmotionChoice = field(default_factory=EmotionChoice)
    speed: float = 1.0
    pitch_shift: float = 0.0
    duration: float | None = None
    flow: FlowSettings = field(default_factory=FlowSettings)

    def options(self) -> dict:
        """Keyword arguments for ``Voice.synthesize`` besides text and emotion."""
        return {
            "speaker": self.speaker or None,
            "speed": self.speed,
            "pitch_shift": self.pitch_shift,
            "duration": self.duration,
            **self.flow.options(),
        }


def mix_from_sliders(values: list[float], labels: tuple[str, ...] = LABELS) -> dict[str, float]:
    """The blend mixer's sliders (one per canonical label, in order) as a weight mapping."""
    return {label: float(value) for label, value in zip(labels, values, strict=True)}


def optional_duration(enabled: bool, seconds: float | None) -> float | None:
    """The exact-duration control: off means natural length."""
    return float(seconds) if enabled and seconds is not None else None
