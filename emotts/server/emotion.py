"""A request's emotion: from `emotion`, `adv` or `instructions` (a spec or a preset name).

Exactly one of the three may be given; two sources of emotion are refused rather than one
silently winning. A preset also brings speed, pitch shift and energy scale, which the
request's own values override (as on the command line).
"""

from __future__ import annotations

from collections.abc import Mapping

from emotts.emotion.presets import PRESET_PREFIX, Preset, merge_prosody
from emotts.emotion.spec import EMOTION_HELP, EmotionSpec, parse_emotion
from emotts.errors import EmotionSpecError
from emotts.server.schemas import SpeechRequest

EMOTION_FIELDS = ("emotion", "adv", "instructions")


def _adv_text(adv: list[float] | str) -> str:
    if isinstance(adv, str):
        return adv
    if len(adv) != 3:
        raise EmotionSpecError(
            f"adv must have 3 numbers (arousal, dominance, valence), got {len(adv)}"
        )
    return ",".join(repr(float(x)) for x in adv)


def _preset_key(text: str) -> str:
    return text.strip().removeprefix(PRESET_PREFIX).strip()


def _lookup(text: str, presets: Mapping[str, Preset]) -> Preset:
    key = _preset_key(text)
    if key not in presets:
        raise EmotionSpecError(
            f"unknown preset {key!r}; this server's presets: {', '.join(presets)} (GET /v1/presets)"
        )
    return presets[key]


def _with_intensity(preset: Preset, intensity: float | None) -> EmotionSpec:
    return preset.emotion if intensity is None else preset.emotion.with_intensity(intensity)


def _from_instructions(
    text: str, intensity: float | None, presets: Mapping[str, Preset]
) -> tuple[EmotionSpec, Preset | None]:
    if text.strip().startswith(PRESET_PREFIX) or _preset_key(text) in presets:
        preset = _lookup(text, presets)
        return _with_intensity(preset, intensity), preset
    try:
        return parse_emotion(text, intensity=intensity), None
    except EmotionSpecError as error:
        raise EmotionSpecError(
            f"instructions {text!r} are neither a preset name ({', '.join(presets)}) nor an "
            f"emotion spec ({error}). {EMOTION_HELP}"
        ) from None


def request_emotion(
    request: SpeechRequest, presets: Mapping[str, Preset]
) -> tuple[EmotionSpec, dict[str, float]]:
    """The text's default emotion and its speed, pitch_shift and energy_scale."""
    given = [name for name in EMOTION_FIELDS if getattr(request, name) is not None]
    if len(given) > 1:
        raise EmotionSpecError(
            f"{' and '.join(given)} are both given; give one of them (instructions accepts an "
            "emotion spec or a preset name; emotion accepts adv=A,D,V and preset:NAME too)"
        )
    preset = None
    if request.instructions is not None:
        emotion, preset = _from_instructions(request.instructions, request.intensity, presets)
    elif request.emotion is not None and request.emotion.strip().startswith(PRESET_PREFIX):
        preset = _lookup(request.emotion, presets)
        emotion = _with_intensity(preset, request.intensity)
    else:
        adv = None if request.adv is None else _adv_text(request.adv)
        emotion = parse_emotion(request.emotion, intensity=request.intensity, adv=adv)
    prosody = merge_prosody(
        preset,
        speed=request.speed,
        pitch_shift=request.pitch_shift,
        energy_scale=request.energy_scale,
    )
    return emotion, prosody
