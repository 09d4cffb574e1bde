"""Reading and writing audio files (soundfile), with resampling by soxr.

Neither needs torch, so the base (ONNX) install reads and writes audio at any rate.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile as sf
import soxr

from emotts.audio.writer import AudioWriter
from emotts.errors import AudioError


def load_audio(path: str | Path, sample_rate: int) -> np.ndarray:
    """Read an audio file as mono float32 samples at ``sample_rate``.

    Multichannel audio is mixed down by averaging the channels.

    Returns:
        samples (T,) float32.

    Raises:
        AudioError: the file is missing, unreadable or has no samples.
    """
    path = Path(path)
    if not path.is_file():
        raise AudioError(f"audio file {str(path)!r} does not exist or is not a file")
    try:
        data, file_rate = sf.read(path, dtype="float32", always_2d=True)
    except (sf.SoundFileError, RuntimeError) as exc:
        raise AudioError(
            f"cannot read audio file {str(path)!r}: {exc}; readable formats include WAV, FLAC and OGG"
        ) from exc
    if data.shape[0] == 0:
        raise AudioError(f"audio file {str(path)!r} is empty (0 samples)")
    samples = data.mean(axis=1)
    if file_rate != sample_rate:
        samples = resample(samples, file_rate, sample_rate)
    return np.ascontiguousarray(samples, dtype=np.float32)


def resample(samples: np.ndarray, source_rate: int, target_rate: int) -> np.ndarray:
    """Mono float32 samples (T,) from ``source_rate`` to ``target_rate`` Hz (soxr, high
    quality: linear phase, flat to 0.91 of the lower Nyquist frequency)."""
    if source_rate == target_rate:
        return np.asarray(samples, np.float32)
    return soxr.resample(samples, source_rate, target_rate, quality="HQ").astype(np.float32)


def save_audio(path: str | Path, samples, sample_rate: int) -> None:
    """Write mono samples (T,), a numpy array or torch tensor, to a .wav (16-bit PCM) or .flac
    file, chosen by extension; written to a temporary name and renamed (see `AudioWriter`).

    Raises:
        AudioError: unsupported extension, unwritable path, non-1-D input, or NaN/inf samples.
    """
    with AudioWriter(path, sample_rate) as out:
        out.write(samples)
