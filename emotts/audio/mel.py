"""Log-mel front-end identical to HiFi-GAN's universal configuration.

Matching it exactly is what lets the pretrained universal HiFi-GAN vocode our mels; the
copy-synthesis check (``scripts/copy_synthesis.py``, ``tests/test_vocoders_copy_synthesis.py``)
measures that match. The pieces that matter, each of which measurably hurts when changed:
reflect padding of (n_fft - hop) / 2 on both sides then ``center=False`` (so frame ``i`` is
centred on sample ``(i + 0.5) * hop`` and there are exactly ``T // hop`` frames), a Hann window,
the magnitude (not power) spectrogram, Slaney-scale Slaney-normalized mel filters, and the
natural log of ``max(x, 1e-5)``.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import torch
import torchaudio
from torch.nn import functional as F

from emotts.audio.config import AudioConfig
from emotts.errors import AudioError

# Added under the square root like HiFi-GAN's reference front-end: keeps the gradient finite
# at exactly-zero bins, and the pretrained vocoder saw mels computed this way.
_MAGNITUDE_EPS = 1e-9


class MelSpectrogram(torch.nn.Module):
    """Waveform [B, T] -> natural-log magnitude mel spectrogram [B, n_mels, T // hop]."""

    def __init__(self, cfg: AudioConfig | None = None) -> None:
        super().__init__()
        self.cfg = cfg or AudioConfig()
        if (self.cfg.n_fft - self.cfg.hop_length) % 2:
            raise AudioError(
                f"n_fft - hop_length must be even for symmetric padding, got "
                f"n_fft={self.cfg.n_fft}, hop_length={self.cfg.hop_length}"
            )
        self.pad = (self.cfg.n_fft - self.cfg.hop_length) // 2
        fbank = torchaudio.functional.melscale_fbanks(
            n_freqs=self.cfg.n_fft // 2 + 1,
            f_min=self.cfg.f_min,
            f_max=self.cfg.f_max,
            n_mels=self.cfg.n_mels,
            sample_rate=self.cfg.sample_rate,
            norm="slaney",
            mel_scale="slaney",
        )  # [n_freqs, n_mels]
        # Not persistent: derived from cfg, so checkpoints need not carry it.
        self.register_buffer("mel_basis", fbank.T.contiguous(), persistent=False)
        self.register_buffer("window", torch.hann_window(self.cfg.win_length), persistent=False)

    def magnitude(self, wav: torch.Tensor) -> torch.Tensor:
        """Magnitude STFT with the front-end's framing: wav [B, T] -> [B, n_fft // 2 + 1, T // hop]."""
        if wav.shape[-1] <= self.pad:
            raise AudioError(
                f"audio too short for the mel front-end: {wav.shape[-1]} samples, "
                f"need more than {self.pad} ({self.pad / self.cfg.sample_rate * 1000:.1f} ms)"
            )
        padded = F.pad(wav.unsqueeze(1), (self.pad, self.pad), mode="reflect").squeeze(1)
        spec = torch.stft(
            padded,
            n_fft=self.cfg.n_fft,
            hop_length=self.cfg.hop_length,
            win_length=self.cfg.win_length,
            window=self.window,
            center=False,
            normalized=False,
            onesided=True,
            return_complex=True,
        )
        return torch.sqrt(torch.view_as_real(spec).pow(2).sum(-1) + _MAGNITUDE_EPS)

    def forward(self, wav: torch.Tensor) -> torch.Tensor:
        """wav [B, T] float -> log-mel [B, n_mels, T // hop]."""
        mel = self.mel_basis @ self.magnitude(wav)
        return torch.log(torch.clamp(mel, min=self.cfg.log_floor))


@lru_cache(maxsize=4)
def _front_end(cfg: AudioConfig) -> MelSpectrogram:
    return MelSpectrogram(cfg)


def as_waveform_tensor(wav: np.ndarray | torch.Tensor) -> torch.Tensor:
    """1-D samples (numpy or torch) as a float32 tensor [1, T]; AudioError for other shapes."""
    tensor = torch.as_tensor(np.asarray(wav) if not isinstance(wav, torch.Tensor) else wav)
    if tensor.dim() != 1:
        raise AudioError(f"expected mono samples of shape (T,), got {tuple(tensor.shape)}")
    return tensor.to(torch.float32).unsqueeze(0)


def mel_spectrogram(
    wav: np.ndarray | torch.Tensor, cfg: AudioConfig | None = None
) -> np.ndarray | torch.Tensor:
    """Log-mel of one mono waveform (T,) -> [n_mels, T // hop].

    Returns a float32 numpy array for numpy input and a tensor (on the input's device) for
    tensor input.
    """
    cfg = cfg or AudioConfig()
    tensor = as_waveform_tensor(wav)
    front_end = _front_end(cfg).to(tensor.device)
    with torch.no_grad():
        mel = front_end(tensor)[0]
    return mel if isinstance(wav, torch.Tensor) else mel.numpy()
