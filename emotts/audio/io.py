"""Reading and writing audio files (soundfile), with resampling by soxr.

Neither needs torch, so the base (ONNX) install reads and writes audio at any rate.
"""

from __future__ import annotations

from collections.abc import Iterator
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
    path = _existing(path)
    try:
        data, file_rate = sf.read(path, dtype="float32", always_2d=True)
    except (sf.SoundFileError, RuntimeError) as exc:
        raise _unreadable(path, exc) from exc
    if data.shape[0] == 0:
        raise AudioError(f"audio file {str(path)!r} is empty (0 samples)")
    samples = data.mean(axis=1)
    if file_rate != sample_rate:
        samples = resample(samples, file_rate, sample_rate)
    return np.ascontiguousarray(samples, dtype=np.float32)


def _existing(path: str | Path) -> Path:
    path = Path(path)
    if not path.is_file():
        raise AudioError(f"audio file {str(path)!r} does not exist or is not a file")
    return path


def _unreadable(path: Path, exc: Exception) -> AudioError:
    return AudioError(
        f"cannot read audio file {str(path)!r}: {exc}; readable formats include WAV, FLAC and OGG"
    )


def loaded_length(path: str | Path, sample_rate: int) -> int:
    """``len(load_audio(path, sample_rate))`` from the file's header, without reading it.

    Raises:
        AudioError: as `load_audio` (missing, unreadable or empty file).
    """
    path = _existing(path)
    try:
        info = sf.info(str(path))
    except (sf.SoundFileError, RuntimeError) as exc:
        raise _unreadable(path, exc) from exc
    if info.frames <= 0:
        raise AudioError(f"audio file {str(path)!r} is empty (0 samples)")
    if info.samplerate == sample_rate:
        return int(info.frames)
    # soxr's output length for a whole signal (checked against soxr.resample in the tests).
    return int(info.frames * sample_rate / info.samplerate + 0.5)


def read_blocks(path: str | Path, sample_rate: int, block: int = 1 << 16) -> Iterator[np.ndarray]:
    """`load_audio`'s samples in pieces of about ``block`` input frames, read and resampled
    block by block (soxr's streaming resampler gives the same samples as the one-shot
    `resample`), so a film-length file is never held whole.

    Yields:
        samples (t,) float32; together exactly ``load_audio(path, sample_rate)``.

    Raises:
        AudioError: the file is missing or cannot be read (also part way through).
    """
    path = _existing(path)
    try:
        with sf.SoundFile(str(path)) as handle:
            file_rate = handle.samplerate
            stream = None
            if file_rate != sample_rate:
                stream = soxr.ResampleStream(
                    file_rate, sample_rate, 1, dtype="float32", quality="HQ"
                )
            for data in handle.blocks(block, dtype="float32", always_2d=True):
                samples = np.ascontiguousarray(data.mean(axis=1), dtype=np.float32)
                yield samples if stream is None else stream.resample_chunk(samples)
            if stream is not None:
                yield stream.resample_chunk(np.zeros(0, np.float32), last=True)
    except (sf.SoundFileError, RuntimeError) as exc:
        raise _unreadable(path, exc) from exc


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
