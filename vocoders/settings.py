"""Mel settings of the HiFi-GAN universal front-end.

Duplicated on purpose: ``vocoders`` never imports ``emotts``, so it keeps its own copy of the
numbers that ``emotts.audio.AudioConfig`` also defaults to.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MelSettings:
    """Framing and filterbank of the mels a vocoder consumes."""

    sample_rate: int = 22050
    n_fft: int = 1024
    win_length: int = 1024
    hop_length: int = 256
    n_mels: int = 80
    f_min: float = 0.0
    f_max: float = 8000.0


UNIVERSAL = MelSettings()
