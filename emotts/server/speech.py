"""A validated speech request: which voice, what text, which emotion, which controls.

Everything a request can get wrong is checked here, before it takes a worker: text length,
the requested duration, the emotion fields (one source of emotion, never two silently
merged) and the format. Control ranges are checked by the pipeline's `SynthesisControls`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from emotts.emotion.presets import Preset
from emotts.emotion.spec import EmotionSpec
from emotts.errors import ControlError
from emotts.server.emotion import request_emotion
from emotts.server.encoding import DEFAULT_FORMAT, AudioFormat, audio_format
from emotts.server.flow import flow_options
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


def build_job(
    request: SpeechRequest,
    voices: VoiceRegistry,
    limits: RequestLimits,
    presets: Mapping[str, Preset],
) -> SpeechJob:
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
    emotion, prosody = request_emotion(request, presets)
    options = dict(speaker=request.speaker, pitch_range=request.pitch_range, **prosody)
    # Validate the ranges now (the pipeline checks them again when it runs) so a bad value is
    # refused before the request takes a worker.
    SynthesisControls(duration=request.duration, pitch_range=request.pitch_range, **prosody)
    resolve_speaker(request.speaker, voice.synthesizer.speakers)
    options.update(flow_options(request, voice.synthesizer))
    return SpeechJob(voice, request.input, emotion, fmt, options, request.duration)
