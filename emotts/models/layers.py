"""Building blocks shared by the encoder, decoder and predictors."""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn import functional as F


class ConditionalLayerNorm(nn.Module):
    """Layer norm whose scale and shift are predicted from a condition vector.

    This is how emotion and speaker reach every layer (AdaSpeech-style): the condition
    changes the statistics of each hidden feature rather than being added once at the input.

    Args:
        channels: H, the normalized width.
        condition_dim: C, width of the condition.
    """

    def __init__(self, channels: int, condition_dim: int) -> None:
        super().__init__()
        self.norm = nn.LayerNorm(channels, elementwise_affine=False)
        self.to_scale_shift = nn.Linear(condition_dim, 2 * channels)
        # Start as a plain layer norm (scale 1, shift 0) so early training is stable.
        nn.init.zeros_(self.to_scale_shift.weight)
        with torch.no_grad():
            self.to_scale_shift.bias.copy_(torch.cat([torch.ones(channels), torch.zeros(channels)]))

    def forward(self, x: torch.Tensor, condition: torch.Tensor) -> torch.Tensor:
        """x: [B, T, H], condition: [B, T, C] -> [B, T, H]."""
        scale, shift = self.to_scale_shift(condition).chunk(2, dim=-1)
        return self.norm(x) * scale + shift


def sinusoidal_positions(length: int | torch.Tensor, channels: int, device=None) -> torch.Tensor:
    """Sinusoidal position table [length, channels]."""
    position = torch.arange(length, device=device, dtype=torch.float32).unsqueeze(1)
    rate = torch.exp(
        torch.arange(0, channels, 2, device=device, dtype=torch.float32)
        * (-math.log(10000.0) / channels)
    )
    table = torch.zeros(position.shape[0], channels, device=device)
    table[:, 0::2] = torch.sin(position * rate)
    table[:, 1::2] = torch.cos(position * rate)
    return table


class MultiHeadSelfAttention(nn.Module):
    """Plain self-attention written with matmuls so it exports to any ONNX opset."""

    def __init__(self, channels: int, heads: int, dropout: float) -> None:
        super().__init__()
        if channels % heads:
            raise ValueError(f"hidden size {channels} is not divisible by {heads} heads")
        self.heads = heads
        self.qkv = nn.Linear(channels, 3 * channels)
        self.out = nn.Linear(channels, channels)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """x: [B, T, H], mask: [B, T] (True = real token) -> [B, T, H]."""
        batch, length, channels = x.shape
        q, k, v = self.qkv(x).view(batch, length, 3, self.heads, -1).permute(2, 0, 3, 1, 4)
        scores = q @ k.transpose(-1, -2) / math.sqrt(channels // self.heads)
        scores = scores.masked_fill(~mask[:, None, None, :], -1e4)
        weights = self.dropout(scores.softmax(dim=-1))
        out = (weights @ v).transpose(1, 2).reshape(batch, length, channels)
        return self.out(out)


class FFTBlock(nn.Module):
    """Transformer block with a convolutional feed-forward (FastSpeech) and conditional norms."""

    def __init__(
        self, channels: int, heads: int, ff: int, kernel: int, condition_dim: int, dropout: float
    ) -> None:
        super().__init__()
        self.attention = MultiHeadSelfAttention(channels, heads, dropout)
        self.norm1 = ConditionalLayerNorm(channels, condition_dim)
        self.conv1 = nn.Conv1d(channels, ff, kernel, padding=kernel // 2)
        self.conv2 = nn.Conv1d(ff, channels, 1)
        self.norm2 = ConditionalLayerNorm(channels, condition_dim)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, mask: torch.Tensor, condition: torch.Tensor) -> torch.Tensor:
        """x: [B, T, H], mask: [B, T], condition: [B, T, C] -> [B, T, H]."""
        keep = mask.unsqueeze(-1).to(x.dtype)
        x = self.norm1(x + self.dropout(self.attention(x, mask)), condition) * keep
        y = self.conv2(F.relu(self.conv1(x.transpose(1, 2)))).transpose(1, 2)
        return self.norm2(x + self.dropout(y), condition) * keep


class ConvNeXtBlock(nn.Module):
    """Depthwise conv -> conditional norm -> pointwise MLP, with a residual (Vocos-style)."""

    def __init__(self, channels: int, inner: int, kernel: int, condition_dim: int) -> None:
        super().__init__()
        self.depthwise = nn.Conv1d(channels, channels, kernel, padding=kernel // 2, groups=channels)
        self.norm = ConditionalLayerNorm(channels, condition_dim)
        self.pointwise1 = nn.Linear(channels, inner)
        self.pointwise2 = nn.Linear(inner, channels)
        # Small residual gain so a deep stack starts close to identity.
        self.gain = nn.Parameter(torch.full((channels,), 0.1))

    def forward(self, x: torch.Tensor, mask: torch.Tensor, condition: torch.Tensor) -> torch.Tensor:
        """x: [B, T, H], mask: [B, T], condition: [B, T, C] -> [B, T, H]."""
        keep = mask.unsqueeze(-1).to(x.dtype)
        y = self.depthwise((x * keep).transpose(1, 2)).transpose(1, 2)
        y = self.pointwise2(F.gelu(self.pointwise1(self.norm(y, condition))))
        return (x + self.gain * y) * keep


class VariancePredictor(nn.Module):
    """Two conv layers with conditional norms and a scalar head: duration, pitch or energy."""

    def __init__(
        self, channels: int, filters: int, kernel: int, condition_dim: int, dropout: float
    ) -> None:
        super().__init__()
        self.conv1 = nn.Conv1d(channels, filters, kernel, padding=kernel // 2)
        self.norm1 = ConditionalLayerNorm(filters, condition_dim)
        self.conv2 = nn.Conv1d(filters, filters, kernel, padding=kernel // 2)
        self.norm2 = ConditionalLayerNorm(filters, condition_dim)
        self.head = nn.Linear(filters, 1)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, mask: torch.Tensor, condition: torch.Tensor) -> torch.Tensor:
        """x: [B, T, H], mask: [B, T], condition: [B, T, C] -> [B, T]."""
        keep = mask.unsqueeze(-1).to(x.dtype)
        y = F.relu(self.conv1((x * keep).transpose(1, 2))).transpose(1, 2)
        y = self.dropout(self.norm1(y, condition)) * keep
        y = F.relu(self.conv2(y.transpose(1, 2))).transpose(1, 2)
        y = self.dropout(self.norm2(y, condition)) * keep
        return self.head(y).squeeze(-1) * mask.to(x.dtype)


def lengths_to_mask(
    lengths: torch.Tensor, max_length: int | torch.Tensor | None = None
) -> torch.Tensor:
    """lengths: [B] -> mask [B, T] with True on real positions."""
    if max_length is None:
        max_length = lengths.max()
    positions = torch.arange(max_length, device=lengths.device)
    return positions.unsqueeze(0) < lengths.unsqueeze(1)
