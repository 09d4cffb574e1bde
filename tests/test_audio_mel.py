"""emotts.audio.mel: frame count, shapes, and the properties of the HiFi-GAN front-end."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from emotts.audio import AudioConfig, MelSpectrogram, mel_spectrogram
from emotts.errors import AudioError

torch.set_num_threads(1)

CFG = AudioConfig()


@pytest.mark.parametrize("length", [385, 1000, 1024, 22050, 22050 + 255, 22050 + 256])
def test_frame_count_is_length_floordiv_hop(length):
    mel = MelSpectrogram(CFG)(torch.randn(2, length) * 0.1)
    assert mel.shape == (2, CFG.n_mels, length // CFG.hop_length)


def test_convenience_keeps_input_type():
    wav = np.random.default_rng(0).standard_normal(5000).astype(np.float32) * 0.1
    as_numpy = mel_spectrogram(wav, CFG)
    as_tensor = mel_spectrogram(torch.from_numpy(wav), CFG)
    assert isinstance(as_numpy, np.ndarray) and as_numpy.dtype == np.float32
    assert isinstance(as_tensor, torch.Tensor)
    assert as_numpy.shape == (80, 5000 // 256)
    np.testing.assert_allclose(as_numpy, as_tensor.numpy())


def test_silence_hits_log_floor():
    mel = mel_spectrogram(np.zeros(4096, dtype=np.float32), CFG)
    np.testing.assert_allclose(mel, np.log(CFG.log_floor), rtol=1e-6)


def test_magnitude_not_power():
    # Doubling the amplitude of a magnitude spectrogram adds log(2) to every loud bin.
    wav = torch.randn(1, 8192) * 0.1
    front_end = MelSpectrogram(CFG)
    delta = front_end(2 * wav) - front_end(wav)
    np.testing.assert_allclose(delta.median().item(), np.log(2.0), atol=1e-3)


def test_tone_lands_in_the_right_band():
    sr = CFG.sample_rate
    wav = np.sin(2 * np.pi * 1000 * np.arange(sr) / sr).astype(np.float32)
    mel = mel_spectrogram(wav, CFG)
    fbank = MelSpectrogram(CFG).mel_basis.numpy()  # [n_mels, n_freqs]
    bin_1k = round(1000 * CFG.n_fft / sr)
    assert mel[:, 10].argmax() == fbank[:, bin_1k].argmax()


def test_rejects_bad_input():
    with pytest.raises(AudioError, match="too short"):
        mel_spectrogram(np.zeros(300, dtype=np.float32), CFG)
    with pytest.raises(AudioError, match=r"shape \(T,\)"):
        mel_spectrogram(np.zeros((2, 3000), dtype=np.float32), CFG)
