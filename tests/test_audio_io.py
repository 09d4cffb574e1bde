"""emotts.audio.io: round trips, resampling, mix-down and every error path."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf
import torch

from emotts.audio.io import load_audio, save_audio
from emotts.errors import AudioError

torch.set_num_threads(1)

SR = 22050


def _tone(seconds: float = 0.5, sr: int = SR, freq: float = 440.0) -> np.ndarray:
    t = np.arange(int(seconds * sr)) / sr
    return (0.5 * np.sin(2 * np.pi * freq * t)).astype(np.float32)


@pytest.mark.parametrize("suffix", [".wav", ".flac", ".WAV"])
def test_round_trip(tmp_path, suffix):
    samples = _tone()
    path = tmp_path / f"tone{suffix}"
    save_audio(path, samples, SR)
    loaded = load_audio(path, SR)
    assert loaded.dtype == np.float32 and loaded.shape == samples.shape
    # 16-bit PCM quantisation error is at most half a step.
    assert np.max(np.abs(loaded - samples)) < 1e-4


def test_save_accepts_tensor(tmp_path):
    path = tmp_path / "t.wav"
    save_audio(path, torch.from_numpy(_tone()), SR)
    assert sf.info(path).samplerate == SR


def test_load_resamples(tmp_path):
    path = tmp_path / "hi.wav"
    sf.write(path, _tone(1.0, sr=44100), 44100)
    loaded = load_audio(path, SR)
    assert abs(len(loaded) - SR) <= 1
    spectrum = np.abs(np.fft.rfft(loaded))
    peak_hz = np.argmax(spectrum) * SR / len(loaded)
    assert abs(peak_hz - 440.0) < 2.0


def test_load_mixes_down_to_mono(tmp_path):
    path = tmp_path / "stereo.wav"
    left = _tone()
    sf.write(path, np.stack([left, np.zeros_like(left)], axis=1), SR)
    loaded = load_audio(path, SR)
    assert loaded.ndim == 1
    np.testing.assert_allclose(loaded, left / 2, atol=1e-4)


def test_load_missing_file(tmp_path):
    path = tmp_path / "nope.wav"
    with pytest.raises(AudioError, match="nope.wav.*does not exist"):
        load_audio(path, SR)


def test_load_directory(tmp_path):
    with pytest.raises(AudioError, match="not a file"):
        load_audio(tmp_path, SR)


def test_load_unreadable_file(tmp_path):
    path = tmp_path / "garbage.wav"
    path.write_bytes(b"this is not audio at all" * 10)
    with pytest.raises(AudioError, match="cannot read audio file.*garbage.wav"):
        load_audio(path, SR)


def test_load_empty_file(tmp_path):
    path = tmp_path / "empty.wav"
    sf.write(path, np.zeros(0, dtype=np.float32), SR)
    with pytest.raises(AudioError, match="empty.wav.*empty"):
        load_audio(path, SR)


def test_save_rejects_unknown_extension(tmp_path):
    with pytest.raises(AudioError, match=r"'\.mp3'.*accepted: \.wav, \.flac"):
        save_audio(tmp_path / "x.mp3", _tone(), SR)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_save_rejects_non_finite(tmp_path, bad):
    samples = _tone()
    samples[10] = bad
    with pytest.raises(AudioError, match="NaN or infinite"):
        save_audio(tmp_path / "x.wav", samples, SR)


def test_save_rejects_multichannel(tmp_path):
    with pytest.raises(AudioError, match=r"shape \(T,\)"):
        save_audio(tmp_path / "x.wav", np.zeros((2, 100), dtype=np.float32), SR)
