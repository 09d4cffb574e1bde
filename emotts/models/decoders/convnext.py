"""The default decoder: a stack of conditioned ConvNeXt blocks regressing the mel (L1)."""

from __future__ import annotations

import torch
from torch import nn

from emotts.models.decoders.base import MelDecoder
from emotts.models.layers import ConditionalLayerNorm, ConvNeXtBlock


class ConvNeXtDecoder(MelDecoder):
    """Convolutional frame decoder: cheap at frame rate, linear in length, streaming-friendly.

    Args:
        channels: H, input width.
        condition_dim: C, condition width.
        n_mels: output mel bands.
        layers: number of blocks.
        inner: width of each block's pointwise MLP.
        kernel: depthwise kernel size.
    """

    def __init__(
        self,
        channels: int,
        condition_dim: int,
        n_mels: int,
        *,
        layers: int = 6,
        inner: int = 576,
        kernel: int = 7,
    ) -> None:
        super().__init__()
        self.blocks = nn.ModuleList(
            ConvNeXtBlock(channels, inner, kernel, condition_dim) for _ in range(layers)
        )
        self.norm = ConditionalLayerNorm(channels, condition_dim)
        self.project = nn.Linear(channels, n_mels)

    def generate(
        self, frames: torch.Tensor, mask: torch.Tensor, condition: torch.Tensor
    ) -> torch.Tensor:
        x = frames
        for block in self.blocks:
            x = block(x, mask, condition)
        mel = self.project(self.norm(x, condition))
        return (mel * mask.unsqueeze(-1).to(mel.dtype)).transpose(1, 2)

    def loss(
        self,
        frames: torch.Tensor,
        mask: torch.Tensor,
        condition: torch.Tensor,
        target_mel: torch.Tensor,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        predicted = self.generate(frames, mask, condition)
        weights = mask.unsqueeze(1).to(predicted.dtype)
        error = (predicted - target_mel).abs() * weights
        return error.sum() / (weights.sum() * predicted.shape[1]).clamp(min=1.0), predicted
