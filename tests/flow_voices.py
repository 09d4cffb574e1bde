"""Tiny untrained voices for the tests of the flow and calibration controls in every front
door (server, demo, dub): a flow-matching voice and a regression voice, both with the fast
Griffin-Lim vocoder and an intensity calibration (so ``raw_intensity`` changes the audio)."""

from __future__ import annotations

from pathlib import Path

from emotts.emotion.calibration import IntensityCalibration
from emotts.models.untrained import make_untrained_voice
from emotts.voices.config import write_calibration

FLOW = {"type": "flow", "layers": 2, "inner": 64, "kernel": 3, "time_dim": 16, "steps": 3}
# Hand-written maps: happy pulled down, sad pushed up, so calibrated != raw for both.
CALIBRATION = IntensityCalibration(
    (0.0, 0.5, 1.0, 1.5, 2.0),
    {"happy": (0.0, 0.2, 0.5, 1.0, 1.6), "sad": (0.0, 1.1, 1.5, 1.8, 2.0)},
    {"note": "hand-written for the tests"},
)


def make_voices(root: Path) -> dict[str, Path]:
    """{"flow": dir, "regression": dir} under ``root``, both calibrated."""
    voices = {
        "flow": make_untrained_voice(
            root / "flow", "tiny", frames_per_phoneme=5.0, vocoder="griffinlim", decoder=FLOW
        ),
        "regression": make_untrained_voice(
            root / "regression", "tiny", frames_per_phoneme=5.0, vocoder="griffinlim"
        ),
    }
    for directory in voices.values():
        write_calibration(directory, CALIBRATION)
    return voices
