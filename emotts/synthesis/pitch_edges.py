"""Smooth pitch transitions at SSML span edges (shared by every backend, numpy only).

A ``<prosody pitch>`` (or ``<emphasis>``) span sets a per-phoneme pitch shift that steps at the
span's first and last phoneme. `ramp_pitch_edges` turns each step into a linear ramp over
``width`` phonemes centred on the edge: a moving average of the per-phoneme shifts, which
leaves flat stretches (and a global shift) unchanged and keeps a span's mean shift. It runs in
`build_inputs`, before the arrays reach either backend, so torch and ONNX get identical
inputs. The default width is chosen by measurement (scripts/ssml_pitch_edges.py,
docs/emotion-control.md "Pitch at span edges").
"""

from __future__ import annotations

import numpy as np

from emotts.errors import ControlError

#: Phonemes over which a span's pitch step is spread; 1 = a hard step (no ramp).
PITCH_RAMP_DEFAULT = 3
PITCH_RAMP_RANGE = (1, 15)


def check_pitch_ramp(width: int) -> int:
    """``width`` if it is an accepted ramp width, else `ControlError` saying what is."""
    low, high = PITCH_RAMP_RANGE
    if isinstance(width, bool) or not isinstance(width, int | np.integer):
        raise ControlError(
            f"pitch_ramp must be a whole number of phonemes in [{low}, {high}] "
            f"(1 = hard steps at SSML pitch span edges); got {width!r}"
        )
    if not low <= width <= high:
        raise ControlError(
            f"pitch_ramp {width} is out of range; accepted: [{low}, {high}] phonemes "
            "(1 = hard steps at SSML pitch span edges)"
        )
    return int(width)


def ramp_pitch_edges(shifts: np.ndarray, width: int) -> np.ndarray:
    """Per-phoneme shifts [T_ph] (semitones) -> the same with each step spread over ``width``.

    The first and last values are repeated past the ends, so the sentence's edges stay as
    they were; ``width`` 1 returns the shifts unchanged.
    """
    shifts = np.asarray(shifts, np.float32)
    if width <= 1 or shifts.size < 2 or np.all(shifts == shifts[0]):
        return shifts
    before, after = width // 2, (width - 1) // 2
    padded = np.pad(shifts.astype(np.float64), (before, after), mode="edge")
    kernel = np.full(width, 1.0 / width)
    return np.convolve(padded, kernel, mode="valid").astype(np.float32)
