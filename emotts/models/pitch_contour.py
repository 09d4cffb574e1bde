"""Frame-level pitch (``model.pitch_target: frame``): target contour, predictor and embedding.

The phoneme-level target (one mean log-F0 per phoneme) flattens what happens inside a
phoneme: the fall of a declarative's last syllable, a question's final rise, declination
across long vowels. The frame target keeps them: log-F0 per mel frame, normalized with the
voice's statistics, linearly interpolated through unvoiced frames so the decoder sees one
continuous contour; the loss counts voiced frames only (unvoiced values are made up).

The predictor runs after length regulation on the expanded encoder output. Expanded frames
are constant within a phoneme, so it also gets each frame's relative position inside its
phoneme and inside the utterance (without them a conv stack could not draw a slope), and
dilated convolutions reach across phoneme boundaries (receptive field 29 frames, ~0.34 s).
"""

from __future__ import annotations

import torch
from einops import rearrange
from torch import nn
from torch.nn import functional as F

from emotts.models.layers import ConditionalLayerNorm

_DILATIONS = (1, 2, 4)
_KERNEL = 5


def interpolate_unvoiced(values: torch.Tensor, voiced: torch.Tensor) -> torch.Tensor:
    """Fill unvoiced frames by linear interpolation between their voiced neighbours.

    Args:
        values: [B, T] per-frame values (normalized log-F0; unvoiced entries are ignored).
        voiced: [B, T] bool, True where ``values`` is measured.
    Returns:
        [B, T]: voiced frames unchanged, unvoiced ones interpolated, held flat before the
        first and after the last voiced frame; a row without any voiced frame is all 0 (the
        voice's mean pitch).
    """
    length = values.shape[1]
    index = torch.arange(length, device=values.device).expand_as(values)
    # Nearest voiced frame at or before / at or after each frame (-1 / length when none).
    before = torch.where(voiced, index, torch.full_like(index, -1)).cummax(dim=1).values
    after_flipped = torch.where(voiced, length - 1 - index, torch.full_like(index, -1))
    after = length - 1 - after_flipped.flip(1).cummax(dim=1).values.flip(1)
    has_before, has_after = before >= 0, after < length
    left = values.gather(1, before.clamp(min=0))
    right = values.gather(1, after.clamp(max=length - 1))
    span = (after - before).clamp(min=1).to(values.dtype)
    weight = (index - before).to(values.dtype) / span
    between = left + (right - left) * weight
    filled = torch.where(has_before & has_after, between, torch.where(has_before, left, right))
    filled = torch.where(has_before | has_after, filled, torch.zeros_like(values))
    return torch.where(voiced, values, filled)


def to_frames(per_phoneme: torch.Tensor, alignment: torch.Tensor) -> torch.Tensor:
    """Expand per-phoneme values [B, T_ph] to frames [B, T_fr] with a hard alignment
    [B, T_ph, T_fr] (padding frames get 0)."""
    return torch.einsum("bp,bpf->bf", per_phoneme, alignment.to(per_phoneme.dtype))


def phoneme_means(per_frame: torch.Tensor, alignment: torch.Tensor) -> torch.Tensor:
    """Average frame values [B, T_fr] over each phoneme's frames -> [B, T_ph] (0 for a
    phoneme of zero frames)."""
    alignment = alignment.to(per_frame.dtype)
    sums = torch.einsum("bf,bpf->bp", per_frame, alignment)
    return sums / alignment.sum(dim=2).clamp(min=1.0)


def frame_positions(durations: torch.Tensor, alignment: torch.Tensor) -> torch.Tensor:
    """Where each frame sits: [B, T_fr, 2] = (position inside its phoneme, inside the
    utterance), both in [0, 1); padding frames are 0.

    Args:
        durations: [B, T_ph] int64 frames per phoneme.
        alignment: [B, T_ph, T_fr] the hard alignment those durations give.
    """
    counts = durations.to(torch.float32)
    starts = torch.cumsum(counts, dim=1) - counts
    frame_start = to_frames(starts, alignment)
    frame_count = to_frames(counts, alignment)
    real = alignment.sum(dim=1) > 0  # [B, T_fr]
    index = torch.arange(alignment.shape[2], device=durations.device, dtype=torch.float32)
    index = index.unsqueeze(0).expand_as(frame_start)
    inside = (index - frame_start) / frame_count.clamp(min=1.0)
    total = counts.sum(dim=1, keepdim=True).clamp(min=1.0)
    across = index / total
    positions = torch.stack([inside, across], dim=-1)
    return positions * real.unsqueeze(-1).to(positions.dtype)


class FramePitch(nn.Module):
    """Frame-level pitch predictor (dilated conv stack with conditional norms) and embedding.

    Args:
        channels: H, width of the length-regulated frames.
        filters: width of the conv stack.
        condition_dim: C, width of the emotion + speaker condition per frame.
    """

    def __init__(self, channels: int, filters: int, condition_dim: int, dropout: float) -> None:
        super().__init__()
        self.position = nn.Linear(2, channels)
        self.convs = nn.ModuleList()
        self.norms = nn.ModuleList()
        width = channels
        for dilation in _DILATIONS:
            padding = dilation * (_KERNEL // 2)
            self.convs.append(
                nn.Conv1d(width, filters, _KERNEL, padding=padding, dilation=dilation)
            )
            self.norms.append(ConditionalLayerNorm(filters, condition_dim))
            width = filters
        self.head = nn.Linear(filters, 1)
        self.dropout = nn.Dropout(dropout)
        self.embedding = nn.Conv1d(1, channels, 3, padding=1)

    def predict(
        self,
        frames: torch.Tensor,
        mask: torch.Tensor,
        condition: torch.Tensor,
        positions: torch.Tensor,
    ) -> torch.Tensor:
        """frames [B, T_fr, H], mask [B, T_fr] bool, condition [B, T_fr, C],
        positions [B, T_fr, 2] (`frame_positions`) -> normalized log-F0 contour [B, T_fr]."""
        keep = rearrange(mask.to(frames.dtype), "b t -> b t 1")
        y = (frames + self.position(positions)) * keep
        for conv, norm in zip(self.convs, self.norms, strict=True):
            y = F.relu(rearrange(conv(rearrange(y, "b t h -> b h t")), "b h t -> b t h"))
            y = self.dropout(norm(y, condition)) * keep
        return rearrange(self.head(y), "b t 1 -> b t") * keep.squeeze(-1)

    def embed(self, frames: torch.Tensor, pitch: torch.Tensor) -> torch.Tensor:
        """Add the contour's embedding: frames [B, T_fr, H], pitch [B, T_fr] -> [B, T_fr, H]."""
        embedded = self.embedding(rearrange(pitch, "b t -> b 1 t"))
        return frames + rearrange(embedded, "b h t -> b t h")


def frame_pitch_target(
    f0: torch.Tensor, mel_mask: torch.Tensor, pitch_mean: float, pitch_std: float
) -> tuple[torch.Tensor, torch.Tensor]:
    """The training target of a frame voice.

    Args:
        f0: [B, T_fr] Hz per frame, 0 where unvoiced.
        mel_mask: [B, T_fr] True on real frames.
    Returns:
        (contour [B, T_fr] normalized log-F0 interpolated through unvoiced frames, 0 on
        padding; voiced [B, T_fr] bool, the frames the loss counts).
    """
    voiced = (f0 > 0) & mel_mask
    log_f0 = (torch.log(f0.clamp(min=1.0)) - pitch_mean) / pitch_std
    contour = interpolate_unvoiced(log_f0, voiced) * mel_mask.to(f0.dtype)
    return contour, voiced
