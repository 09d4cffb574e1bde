"""Request and response bodies of the HTTP API (pydantic), which also make the OpenAPI docs.

`SpeechRequest` is OpenAI's `POST /v1/audio/speech` body (model, input, voice,
response_format, speed, instructions) plus the emotts controls. Unknown fields are refused
(422), so a misspelt control is never silently ignored. Ranges of the controls are checked by
the synthesis pipeline itself (one definition), whose errors become 400 responses.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from emotts.emotion.syntax import GUIDANCE_RANGE
from emotts.server.encoding import DEFAULT_FORMAT, SUPPORTED_FORMATS
from emotts.synthesis.sampling import AVOID_GUIDANCE_RANGE, STEPS_RANGE, TEMPERATURE_RANGE


def _span(bounds: tuple) -> str:
    return f"[{bounds[0]:g}, {bounds[1]:g}]"


class SpeechRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    model: str | None = Field(
        None,
        description="OpenAI's model field: 'emotts', one of OpenAI's TTS model names "
        "(tts-1, tts-1-hd, gpt-4o-mini-tts; all run this server's engine), or a voice name.",
    )
    input: str = Field(
        description="Text to speak; may carry inline emotion markup such as "
        "'I <emotion name=\"happy\">love</emotion> it'."
    )
    voice: str | None = Field(
        None, description="One of the voices this server was started with (GET /v1/voices)."
    )
    response_format: str | None = Field(
        None,
        description=f"Audio format: {', '.join(SUPPORTED_FORMATS)}; default {DEFAULT_FORMAT} "
        "(wav when streaming).",
    )
    speed: float | None = Field(
        None, description="Tempo, higher is faster (0.25 to 4); default 1, or the preset's."
    )
    instructions: str | None = Field(
        None,
        description="How to say it: an emotion spec ('happy', 'happy:0.6,sad:0.4', "
        "'adv=0.7,0.2,-0.5; intensity=1.2') or a preset name (GET /v1/presets); a preset "
        "also sets speed, pitch_shift and energy_scale unless the request sets them.",
    )
    emotion: str | None = Field(
        None,
        description="Default emotion of the text: a label, a blend, adv=A,D,V or preset:NAME.",
    )
    intensity: float | None = Field(
        None, description="Emotion intensity: 0 neutral, 1 as trained, up to 2; -1 flips."
    )
    adv: list[float] | str | None = Field(
        None, description="Arousal, dominance, valence, each in [-1, 1]: [0.7, 0.2, -0.5]."
    )
    duration: float | None = Field(None, description="Exact total length in seconds.")
    speaker: str | int | None = Field(None, description="Speaker name or index of the voice.")
    pitch_shift: float | None = Field(
        None, description="Semitones added to the pitch; default 0, or the preset's."
    )
    pitch_range: float = Field(1.0, description="Scale of pitch movement (1 = as predicted).")
    energy_scale: float | None = Field(
        None, description="Loudness scale; default 1 (as predicted), or the preset's."
    )
    guidance: float | None = Field(
        None,
        description=f"Emotion guidance w in {_span(GUIDANCE_RANGE)} (1 as trained, 0 no emotion, "
        "above 1 stronger); flow-matching voices only.",
    )
    avoid: str | None = Field(
        None, description="An emotion label to steer away from (negative guidance); flow voices."
    )
    avoid_guidance: float | None = Field(
        None,
        description=f"Weight of the negative guidance in {_span(AVOID_GUIDANCE_RANGE)} "
        "(default 1 when avoid is given); flow voices.",
    )
    flow_steps: int | None = Field(
        None,
        description=f"Sampler steps in {_span(STEPS_RANGE)} (default: the voice's); flow voices.",
    )
    temperature: float | None = Field(
        None,
        description=f"Starting-noise scale in {_span(TEMPERATURE_RANGE)} (default: the "
        "voice's); flow voices.",
    )
    seed: int | None = Field(
        None,
        description="Non-negative noise seed: the same seed gives the same audio (a regression "
        "voice is deterministic anyway).",
    )
    raw_intensity: bool = Field(
        False,
        description="Send the intensity to the model as given, skipping the voice's intensity "
        "calibration.",
    )
    stream: bool = Field(
        False,
        description="Send audio as each sentence is ready (chunked transfer); "
        "response_format wav or pcm.",
    )


class WordTimingBody(BaseModel):
    word: str
    start: float
    end: float
    start_char: int = Field(description="Offset of the word in `input` (markup included).")
    end_char: int


class PhonemeTimingBody(BaseModel):
    phoneme: str
    start: float
    end: float


class TimedSpeechResponse(BaseModel):
    """Audio (base64 of the file in `response_format`) with word and phoneme timings."""

    audio: str = Field(description="Base64 of the audio file.")
    response_format: str
    sample_rate: int
    duration: float = Field(description="Seconds.")
    words: list[WordTimingBody]
    phonemes: list[PhonemeTimingBody]


class VoiceBody(BaseModel):
    name: str
    backend: str = Field(description="'onnx' (onnxruntime) or 'torch'.")
    labels: list[str] = Field(description="Emotion labels the voice was trained on.")
    speakers: list[str]
    sample_rate: int


class VoicesResponse(BaseModel):
    voices: list[VoiceBody]
    default: str = Field(description="The voice used when a request names none.")


class PresetBody(BaseModel):
    name: str
    emotion: str = Field(description="The emotion spec in the `emotion` syntax.")
    speed: float
    pitch_shift: float
    energy_scale: float
    description: str


class PresetsResponse(BaseModel):
    presets: list[PresetBody]


class HealthResponse(BaseModel):
    status: str
    voices: list[str]
    jobs_running_or_waiting: int
    job_capacity: int


class ErrorDetail(BaseModel):
    message: str
    type: str
    param: str | None = None
    code: str | None = None


class ErrorResponse(BaseModel):
    """OpenAI's error shape, so OpenAI client libraries show the message."""

    error: ErrorDetail
