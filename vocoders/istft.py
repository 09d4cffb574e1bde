"""Inverse STFT written as plain tensor ops, so that it exports to ONNX opset 17.

``torch.istft`` has no ONNX export at opset 17; this module computes the same thing with a
fixed real inverse-DFT basis (one matrix product per frame) and overlap-add through
``conv_transpose1d``, then divides by the summed squared window. The framing is the
mel front-end's: frame ``t`` covers samples ``[t*hop - pad, t*hop - pad + n_fft)`` with
``pad = (n_fft - hop) / 2``, so T frames give exactly ``T * hop`` samples.
"""

from __future__ import annotations

import math

import torch
from einops import rearrange
from torch import nn
from torch.nn import functional as F


class InverseSTFT(nn.Module):
    """Complex spectrum (real, imaginary) [B, n_fft/2+1, T] x 2 -> waveform [B, T * hop].

    Args:
        n_fft: FFT size (also the window length).
        hop_length: samples between frames; ``n_fft - hop_length`` must be even.
    """

    def __init__(self, n_fft: int = 1024, hop_length: int = 256) -> None:
        super().__init__()
        if (n_fft - hop_length) % 2:
            raise ValueError(f"n_fft - hop_length must be even, got {n_fft} and {hop_length}")
        self.n_fft = n_fft
        self.hop_length = hop_length
        self.pad = (n_fft - hop_length) // 2
        bins = n_fft // 2 + 1
        window = torch.hann_window(n_fft, periodic=True, dtype=torch.float64)
        n = torch.arange(n_fft, dtype=torch.float64)
        k = torch.arange(bins, dtype=torch.float64)
        angle = 2 * math.pi * k[:, None] * n[None, :] / n_fft  # [bins, n_fft]
        # One-sided inverse DFT: interior bins count twice (their conjugate twins), DC and
        # Nyquist once; the synthesis window is folded into the basis.
        weight = torch.full((bins, 1), 2.0, dtype=torch.float64)
        weight[0] = 1.0
        weight[-1] = 1.0
        cos_basis = weight * torch.cos(angle) / n_fft * window
        sin_basis = -weight * torch.sin(angle) / n_fft * window
        self.register_buffer("cos_basis", cos_basis.float(), persistent=False)
        self.register_buffer("sin_basis", sin_basis.float(), persistent=False)
        if n_fft % hop_length:
            raise ValueError(f"n_fft must be a multiple of hop_length, got {n_fft} and {hop_length}")
        self.register_buffer("window_sq", (window**2).float(), persistent=False)

    def _overlap_add(self, frames: torch.Tensor) -> torch.Tensor:
        """frames [B, n_fft, T] -> summed signal [B, (T + n_fft/hop - 1) * hop].

        Each frame is cut into n_fft/hop blocks of one hop; block j of frame t lands on output
        block t + j, so the sum is a few pads and adds (cheaper than a transposed convolution
        with an identity kernel, which costs n_fft^2 per frame).
        """
        blocks = rearrange(frames, "b (j h) t -> b j t h", h=self.hop_length)
        overlap = blocks.shape[1]
        out = 0
        for j in range(overlap):
            out = out + F.pad(blocks[:, j], (0, 0, j, overlap - 1 - j))  # [B, T + overlap-1, hop]
        return rearrange(out, "b t h -> b (t h)")

    def forward(self, real: torch.Tensor, imag: torch.Tensor) -> torch.Tensor:
        """real, imag: [B, n_fft/2+1, T] -> waveform [B, T * hop]."""
        frames = torch.einsum("bkt,kn->bnt", real, self.cos_basis) + torch.einsum(
            "bkt,kn->bnt", imag, self.sin_basis
        )  # [B, n_fft, T]
        wave = self._overlap_add(frames)
        envelope = self._overlap_add(self.window_sq.view(1, -1, 1).expand(1, -1, frames.shape[-1]))
        wave = wave / envelope.clamp(min=1e-8)
        length = frames.shape[-1] * self.hop_length
        return wave[:, self.pad : self.pad + length]
