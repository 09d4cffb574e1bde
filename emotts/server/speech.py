"""A validated speech request: which voice, what text, which emotion, which controls.

Everything a request can get wrong is checked here, before it takes a worker: text length,
the requested duration, the emotion fields (one source of emotion, never two silently
merged) and the format. Control ranges are checked by the pipeline's `SynthesisControls`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from emotts.emotion.spec import EMOTION_HELP, EmotionSpec, parse_emotion
from emotts.errors import ControlError, EmotionSpecError
from emotts.server.encoding import DEFAULT_FORMAT, AudioFormat, audio_format
from emotts.server.schemas import SpeechRequest
from emotts.server.voices import ServedVoice, VoiceRegistry
from emotts.synthesis.controls import SynthesisControls, resolve_speaker
from emotts.synthesis.result import Audio


@dataclass(frozen=True)
class RequestLimits:
    """max_chars: longest `input`; max_duration: longest audio, in seconds, a request may ask
    for (through `duration`) or produce."""

    max_chars: int = 4096
    max_duration: float = 300.0


@dataclass
class SpeechJob:
    voice: ServedVoice
    text: str
    emotion: EmotionSpec
    fmt: AudioFormat
    options: dict = field(default_factory=dict)
    duration: float | None = None

    def synthesize(self, limits: RequestLimits) -> Audio:
        audio = self.voice.synthesizer.synthesize(
            self.text, self.emotion, duration=self.duration, **self.options
        )
        check_length(audio.duration, limits)
        return audio


def check_length(seconds: float, limits: RequestLimits) -> None:
    if seconds > limits.max_duration:
        raise ControlError(
            f"the audio would last {seconds:.1f} s, over this server's limit of "
            f"{limits.max_duration:g} s; send shorter text or a higher speed"
        )


def _adv_text(adv: list[float] | str) -> str:
    if isinstance(adv, str):
        return adv
    if len(adv) != 3:
        raise EmotionSpecError(
            f"adv must have 3 numbers (arousal, dominance, valence), got {len(adv)}"
        )
    return ",".join(repr(float(x)) for x in adv)


def _instructions_emotion(instructions: str, intensity: float | None) -> EmotionSpec:
    try:
        return parse_emotion(instructions, intensity=intensity)
    except EmotionSpecError as error:
        raise EmotionSpecError(
            f"instructions {instructions!r} are not an emotion spec ({error}). {EMOTION_HELP}"
        ) from None


def request_emotion(request: SpeechRequest) -> EmotionSpec:
    """The default emotion of the text, from exactly one of emotion, adv and instructions."""
    given = [
        name for name in ("emotion", "adv", "instructions") if getattr(request, name) is not None
    ]
    if len(given) > 1:
        raise EmotionSpecError(
            f"{' and '.join(given)} are both given; give one of them (instructions accepts an "
            "emotion spec; emotion accepts adv=A,D,V too)"
        )
    if request.instructions is not None:
        return _instructions_emotion(request.instructions, request.intensity)
    adv = None if request.adv is None else _adv_text(request.adv)
    return parse_emotion(request.emotion, intensity=request.intensity, adv=adv)


def build_job(request: SpeechRequest, voices: VoiceRegistry, limits: RequestLimits) -> SpeechJob:
    """Check a request and turn it into a job; raises `EmottsError` on anything invalid."""
    if not request.input.strip():
        raise ControlError("input is empty; give the text to speak")
    if len(request.input) > limits.max_chars:
        raise ControlError(
            f"input has {len(request.input)} characters, over this server's limit of "
            f"{limits.max_chars}; split the text into several requests"
        )
    voice = voices.get(request.voice, request.model)
    fmt = audio_format(
        request.response_format or ("wav" if request.stream else DEFAULT_FORMAT),
        streaming=request.stream,
    )
    if request.duration is not None:
        if request.stream:
            raise ControlError("duration cannot be combined with stream; drop one of them")
        if isinstance(request.duration, float | int) and request.duration > limits.max_duration:
            raise ControlError(
                f"duration {request.duration:g} s is over this server's limit of "
                f"{limits.max_duration:g} s"
            )
    options = dict(
        speaker=request.speaker,
        speed=request.speed,
        pitch_shift=request.pitch_shift,
        pitch_range=request.pitch_range,
        energy_scale=request.energy_scale,
    )
    # Validate the ranges now (the pipeline checks them again when it runs) so a bad value is
    # refused before the request takes a worker.
    SynthesisControls(
        request.speed,
        request.duration,
        request.pitch_shift,
        request.pitch_range,
        request.energy_scale,
    )
    resolve_speaker(request.speaker, voice.synthesizer.speakers)
    return SpeechJob(voice, request.input, request_emotion(request), fmt, options, request.duration)
