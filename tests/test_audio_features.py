"""emotts.audio.features: F0 and energy on the mel frame grid."""

from __future__ import annotations

import sys

import numpy as np
import pytest
import torch

from emotts.audio import AudioConfig, extract_energy, extract_f0, mel_spectrogram
from emotts.audio import features as features_module

torch.set_num_threads(1)

CFG = AudioConfig()
SR = CFG.sample_rate


def _tone_then_silence(freq: float = 220.0) -> np.ndarray:
    t = np.arange(SR) / SR
    tone = 0.5 * np.sin(2 * np.pi * freq * t)
    return np.concatenate([tone, np.zeros(SR // 2)]).astype(np.float32)


def test_f0_of_sine_and_silence():
    wav = _tone_then_silence()
    f0 = extract_f0(wav, CFG)
    assert f0.dtype == np.float32
    assert f0.shape == (mel_spectrogram(wav, CFG).shape[1],)
    tone_frames = SR // CFG.hop_length
    voiced = f0[5 : tone_frames - 5]
    assert np.all(voiced > 0)
    np.testing.assert_allclose(voiced, 220.0, rtol=0.01)
    assert np.all(f0[tone_frames + 5 :] == 0)


@pytest.mark.parametrize("length", [1000, 5000, 22050 + 128, 22050 + 255])
def test_f0_and_energy_lengths_match_mel(length):
    wav = np.random.default_rng(0).standard_normal(length).astype(np.float32) * 0.1
    frames = mel_spectrogram(wav, CFG).shape[1]
    assert extract_f0(wav, CFG).shape == (frames,)
    assert extract_energy(wav, CFG).shape == (frames,)


def test_energy_follows_loudness():
    wav = _tone_then_silence()
    energy = extract_energy(torch.from_numpy(wav), CFG)
    assert energy.dtype == np.float32
    tone_frames = SR // CFG.hop_length
    assert energy[10] > 100 * energy[-10]
    # Energy is linear in amplitude: it is a norm of the magnitude spectrum.
    np.testing.assert_allclose(extract_energy(2 * wav, CFG)[10], 2 * energy[10], rtol=1e-4)
    assert energy[: tone_frames - 5].std() / energy[: tone_frames - 5].mean() < 0.05


def test_pyworld_imports_without_pkg_resources(monkeypatch):
    # setuptools >= 81 ships no pkg_resources, which pyworld 0.3.5 imports.
    monkeypatch.setitem(sys.modules, "pkg_resources", None)
    monkeypatch.delitem(sys.modules, "pyworld", raising=False)
    pyworld = features_module._import_pyworld()
    assert hasattr(pyworld, "dio")
    assert sys.modules.get("pkg_resources") is None
