"""Audio loading and resampling for the judges.

The judges each want their own sample rate (Whisper and DNSMOS 16 kHz, the reference metrics
22.05 kHz), so everything here takes an explicit target rate. Polyphase resampling (scipy)
keeps this module free of torch, which the numpy-only judges do not otherwise need.
"""

from __future__ import annotations

from math import gcd
from pathlib import Path

import numpy as np
import soundfile as sf
from scipy.signal import resample_poly

from emotts.errors import AudioError


def resample(samples: np.ndarray, source_rate: int, target_rate: int) -> np.ndarray:
    """Resample a 1-D signal; returns float32."""
    samples = np.asarray(samples, dtype=np.float32)
    if source_rate == target_rate:
        return samples
    g = gcd(int(source_rate), int(target_rate))
    out = resample_poly(samples, target_rate // g, source_rate // g)
    return out.astype(np.float32)


def load_mono(path: str | Path, sample_rate: int) -> np.ndarray:
    """Read an audio file as mono float32 at ``sample_rate``; AudioError names a bad file."""
    try:
        data, rate = sf.read(str(path), dtype="float32", always_2d=True)
    except (sf.LibsndfileError, OSError, RuntimeError) as exc:
        raise AudioError(f"cannot read audio file {path}: {exc}") from exc
    if data.size == 0:
        raise AudioError(f"audio file {path} is empty")
    return resample(data.mean(axis=1), rate, sample_rate)


def peak_safe(samples: np.ndarray) -> np.ndarray:
    """Scale down only if the signal clips, since DNSMOS rejects values outside [-1, 1]."""
    peak = float(np.max(np.abs(samples))) if samples.size else 0.0
    return samples / peak if peak > 1.0 else samples
