"""Losses of the vocoder: mel, multi-resolution STFT magnitude, and compressed complex spectrum.

Magnitude losses (mel, log-STFT, spectral convergence) say nothing about phase. With a teacher's
output as the target (its phase is a deterministic function of the mel), a loss on the complex
spectrum itself makes phase learnable: the power-law compressed spectrum
``|X|^c * exp(i * angle(X))`` (c = 0.3, as in speech enhancement work such as MP-SENet) keeps
quiet bins from vanishing under the loud ones.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from emotts.audio.mel import MelSpectrogram

RESOLUTIONS = ((512, 128), (1024, 256), (2048, 512))  # (n_fft, hop); window = n_fft
_COMPRESSION = 0.3
_EPS = 1e-7


@dataclass(frozen=True)
class LossWeights:
    mel: float = 45.0
    stft: float = 1.0
    complex: float = 10.0
    wave: float = 0.0


def _stft(wave: torch.Tensor, n_fft: int, hop: int, window: torch.Tensor) -> torch.Tensor:
    """wave [B, S] -> complex spectrum [B, n_fft/2+1, frames]."""
    return torch.stft(wave, n_fft, hop, n_fft, window, center=True, return_complex=True)


class VocoderLoss(nn.Module):
    """``forward(generated [B, S], target [B, S]) -> (total, parts)``."""

    def __init__(self, weights: LossWeights | None = None) -> None:
        super().__init__()
        self.weights = weights or LossWeights()
        self.mel = MelSpectrogram()
        for n_fft, _ in RESOLUTIONS:
            self.register_buffer(f"window_{n_fft}", torch.hann_window(n_fft), persistent=False)

    def forward(
        self, generated: torch.Tensor, target: torch.Tensor
    ) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        parts = {"mel": (self.mel(generated) - self.mel(target)).abs().mean()}
        stft = torch.zeros((), device=generated.device)
        complex_ = torch.zeros((), device=generated.device)
        for n_fft, hop in RESOLUTIONS:
            window = getattr(self, f"window_{n_fft}")
            g, t = _stft(generated, n_fft, hop, window), _stft(target, n_fft, hop, window)
            g_mag, t_mag = g.abs().clamp(min=_EPS), t.abs().clamp(min=_EPS)
            convergence = torch.linalg.norm(t_mag - g_mag) / torch.linalg.norm(t_mag)
            stft = stft + convergence + (g_mag.log() - t_mag.log()).abs().mean()
            g_c = g * g_mag.pow(_COMPRESSION - 1.0)
            t_c = t * t_mag.pow(_COMPRESSION - 1.0)
            complex_ = complex_ + (g_c - t_c).abs().pow(2).mean()
        parts["stft"] = stft / len(RESOLUTIONS)
        parts["complex"] = complex_ / len(RESOLUTIONS)
        parts["wave"] = (generated - target).abs().mean()
        w = self.weights
        total = (
            w.mel * parts["mel"]
            + w.stft * parts["stft"]
            + w.complex * parts["complex"]
            + w.wave * parts["wave"]
        )
        return total, parts
