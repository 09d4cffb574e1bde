"""User-facing synthesis controls and their validation (shared by every backend)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from emotts.emotion.prosody import SPEED_RANGE
from emotts.errors import ControlError
from emotts.synthesis.pitch_edges import PITCH_RAMP_DEFAULT, check_pitch_ramp

# Accepted ranges: wide enough for creative use, narrow enough that the model stays in the
# region it can render (outside them durations or pitch leave anything seen in training).
# SPEED_RANGE (imported above) is shared with the rate of <prosody rate="..."> markup.
PITCH_SHIFT_RANGE = (-24.0, 24.0)
PITCH_RANGE_RANGE = (0.0, 4.0)
ENERGY_SCALE_RANGE = (0.1, 4.0)
MAX_DURATION_SECONDS = 600.0


def _check(name: str, value: float, low: float, high: float, unit: str = "") -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ControlError(f"{name} must be a number in [{low}, {high}]{unit}; got {value!r}")
    if not math.isfinite(value) or not low <= value <= high:
        raise ControlError(f"{name} {value} is out of range; accepted: [{low}, {high}]{unit}")
    return float(value)


@dataclass(frozen=True)
class SynthesisControls:
    """Prosody controls applied on top of the emotion.

    speed: global tempo, higher is faster (frames are divided by it).
    duration: exact total length in seconds, or None for the natural length.
    pitch_shift: semitones added to the predicted pitch.
    pitch_range: scale of pitch movement around each sentence's mean (1 = as predicted).
    energy_scale: loudness scale of the predicted energy (1 = as predicted).
    pitch_ramp: phonemes over which an SSML pitch span's step is spread (1 = hard steps;
        `emotts.synthesis.pitch_edges`).
    """

    speed: float = 1.0
    duration: float | None = None
    pitch_shift: float = 0.0
    pitch_range: float = 1.0
    energy_scale: float = 1.0
    pitch_ramp: int = PITCH_RAMP_DEFAULT

    def __post_init__(self) -> None:
        check_pitch_ramp(self.pitch_ramp)
        _check("speed", self.speed, *SPEED_RANGE, " (1 = natural, higher is faster)")
        _check("pitch_shift", self.pitch_shift, *PITCH_SHIFT_RANGE, " semitones")
        _check("pitch_range", self.pitch_range, *PITCH_RANGE_RANGE)
        _check("energy_scale", self.energy_scale, *ENERGY_SCALE_RANGE)
        if self.duration is not None and (
            isinstance(self.duration, bool)
            or not isinstance(self.duration, int | float)
            or not (math.isfinite(self.duration) and 0 < self.duration <= MAX_DURATION_SECONDS)
        ):
            raise ControlError(
                f"duration {self.duration!r} is invalid; accepted: seconds in "
                f"(0, {MAX_DURATION_SECONDS:g}] or none for the natural length"
            )


def resolve_speaker(speaker: str | int | None, speakers: list[str]) -> int:
    """Speaker name or index -> index; None picks the first speaker."""
    if speaker is None:
        return 0
    if isinstance(speaker, int) and not isinstance(speaker, bool):
        if 0 <= speaker < len(speakers):
            return speaker
        raise ControlError(
            f"speaker index {speaker} is out of range; this voice has 0..{len(speakers) - 1}"
        )
    if isinstance(speaker, str):
        if speaker in speakers:
            return speakers.index(speaker)
        if speaker.isdigit() and int(speaker) < len(speakers):
            return int(speaker)
    raise ControlError(f"unknown speaker {speaker!r}; this voice has: {', '.join(speakers)}")


def split_frames(total_frames: int, natural_frames: list[int]) -> list[int]:
    """Share an exact frame budget among sentences in proportion to their natural lengths.

    Cumulative rounding keeps the sum exactly equal to ``total_frames``.
    """
    natural_total = sum(natural_frames)
    if total_frames < len(natural_frames):
        raise ControlError(
            f"the requested duration is {total_frames} frames, fewer than the "
            f"{len(natural_frames)} sentences of the text; ask for a longer duration"
        )
    shares = (
        [n / natural_total for n in natural_frames]
        if natural_total > 0
        else [1 / len(natural_frames)] * len(natural_frames)
    )
    result, running, previous = [], 0.0, 0
    for share in shares:
        running += share * total_frames
        boundary = round(running)
        result.append(boundary - previous)
        previous = boundary
    result[-1] += total_frames - previous
    return result
