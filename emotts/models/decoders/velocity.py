"""The flow decoder's velocity network: a ConvNeXt stack conditioned on time, frames and emotion.

ConvNeXt rather than a U-Net: the frame rate is already low (86 frames/s), the regression
decoder shows that a flat depthwise stack models mels well here, and a flat stack has no
length constraint (a U-Net needs T divisible by 2^depth) and exports to ONNX as plain convs.
"""

from __future__ import annotations

import math

import torch
from einops import rearrange
from torch import nn

from emotts.errors import ConfigError
from emotts.models.layers import ConditionalLayerNorm, ConvNeXtBlock


def time_embedding(t: torch.Tensor, dim: int) -> torch.Tensor:
    """Sinusoidal embedding of flow time t in [0, 1]: t [B] -> [B, dim].

    t is scaled by 1000 (as in diffusion models) so that the fast frequencies resolve the
    small step sizes of a few-step sampler.
    """
    half = dim // 2
    rate = torch.exp(
        torch.arange(half, device=t.device, dtype=torch.float32) * (-math.log(10000.0) / half)
    )
    angle = 1000.0 * t.float().unsqueeze(1) * rate.unsqueeze(0)
    return torch.cat([angle.sin(), angle.cos()], dim=1)


class VelocityNetwork(nn.Module):
    """v(x_t, t | frames, condition): the OT-CFM vector field.

    Args:
        channels: H, width of the frames and of the stack.
        inner: width of each block's pointwise MLP.
        kernel: depthwise kernel size.
        layers: number of ConvNeXt blocks.
        condition_dim: C, width of the per-frame emotion + speaker condition.
        n_mels: mel bands of x.
        time_dim: width of the time embedding, appended to the condition of every block's
            conditional layer norm (AdaLN-style), so time modulates every layer.
    """

    def __init__(
        self,
        channels: int,
        inner: int,
        kernel: int,
        layers: int,
        condition_dim: int,
        n_mels: int,
        time_dim: int,
    ) -> None:
        super().__init__()
        if time_dim % 2:
            raise ConfigError(f"decoder time_dim {time_dim} is odd; accepted: an even width")
        self.time_dim = time_dim
        self.time_mlp = nn.Sequential(
            nn.Linear(time_dim, time_dim), nn.SiLU(), nn.Linear(time_dim, time_dim)
        )
        self.input = nn.Linear(n_mels, channels)
        self.frames = nn.Linear(channels, channels)
        block_condition = condition_dim + time_dim
        self.blocks = nn.ModuleList(
            ConvNeXtBlock(channels, inner, kernel, block_condition) for _ in range(layers)
        )
        self.norm = ConditionalLayerNorm(channels, block_condition)
        self.output = nn.Linear(channels, n_mels)

    def forward(
        self,
        x: torch.Tensor,
        t: torch.Tensor,
        frames: torch.Tensor,
        mask: torch.Tensor,
        condition: torch.Tensor,
    ) -> torch.Tensor:
        """Velocity at (x, t).

        Args:
            x: [B, n_mels, T] the current point of the flow.
            t: [B] flow time in [0, 1].
            frames: [B, T, H] length-regulated encoder output.
            mask: [B, T] True on real frames.
            condition: [B, T, C] per-frame emotion + speaker condition.
        Returns:
            [B, n_mels, T], zero on padding.
        """
        keep = mask.unsqueeze(-1).to(x.dtype)
        time = self.time_mlp(time_embedding(t, self.time_dim))
        block_condition = torch.cat(
            [condition, time.unsqueeze(1).expand(-1, condition.shape[1], -1)], dim=-1
        )
        h = (self.input(rearrange(x, "b m t -> b t m")) + self.frames(frames)) * keep
        for block in self.blocks:
            h = block(h, mask, block_condition)
        velocity = self.output(self.norm(h, block_condition)) * keep
        return rearrange(velocity, "b t m -> b m t")
