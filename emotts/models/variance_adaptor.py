"""Duration, pitch and energy: predictors, embeddings and the user's inference controls."""

from __future__ import annotations

import math

import torch
from torch import nn

from emotts.models.layers import VariancePredictor


class VarianceAdaptor(nn.Module):
    """Predicts log-duration, phoneme pitch and phoneme energy, and embeds pitch/energy back.

    Pitch is the phoneme's mean log-F0 over its voiced frames, normalized by the corpus
    mean/std; energy is the phoneme's mean frame energy, normalized likewise. With
    ``phoneme_pitch=False`` (a frame-pitch voice, `emotts.models.pitch_contour`) there is no
    phoneme pitch predictor or embedding at all, so no parameter goes unused in training and
    a phoneme voice's weights keep their names.
    """

    def __init__(
        self,
        channels: int,
        filters: int,
        kernel: int,
        condition_dim: int,
        dropout: float,
        phoneme_pitch: bool = True,
    ):
        super().__init__()
        self.duration = VariancePredictor(channels, filters, kernel, condition_dim, dropout)
        if phoneme_pitch:
            self.pitch = VariancePredictor(channels, filters, kernel, condition_dim, dropout)
            self.pitch_embedding = nn.Conv1d(1, channels, 3, padding=1)
        self.phoneme_pitch = phoneme_pitch
        self.energy = VariancePredictor(channels, filters, kernel, condition_dim, dropout)
        self.energy_embedding = nn.Conv1d(1, channels, 3, padding=1)

    def predict(
        self, hidden: torch.Tensor, mask: torch.Tensor, condition: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor | None, torch.Tensor]:
        """hidden: [B, T, H] -> (log_duration, pitch, energy), each [B, T]; pitch is None
        without a phoneme pitch predictor."""
        return (
            self.duration(hidden, mask, condition),
            self.pitch(hidden, mask, condition) if self.phoneme_pitch else None,
            self.energy(hidden, mask, condition),
        )

    def embed(
        self, hidden: torch.Tensor, pitch: torch.Tensor | None, energy: torch.Tensor
    ) -> torch.Tensor:
        """Add pitch and energy embeddings: hidden [B, T, H], pitch/energy [B, T] -> [B, T, H]
        (pitch None: energy only, the frame-pitch voice embeds its contour after regulation)."""
        energy_part = self.energy_embedding(energy.unsqueeze(1)).transpose(1, 2)
        if pitch is None:
            return hidden + energy_part
        pitch_part = self.pitch_embedding(pitch.unsqueeze(1)).transpose(1, 2)
        return hidden + pitch_part + energy_part


def control_durations(
    log_durations: torch.Tensor,
    mask: torch.Tensor,
    duration_scale: torch.Tensor,
    speed: torch.Tensor,
    target_frames: torch.Tensor,
) -> torch.Tensor:
    """Turn predicted log-durations into integer frame counts under the user's controls.

    Args:
        log_durations: [B, T] predicted log(1 + frames).
        mask: [B, T] True on real phonemes.
        duration_scale: [B, T] per-phoneme stretch (1 = as predicted).
        speed: [B] global speed, higher is faster (frames divided by speed).
        target_frames: [B] exact total frame count wanted; <= 0 means no target.
    Returns:
        [B, T] int64 durations. With a target, they sum to it exactly.

    Rounding is cumulative (round the running total, then difference) so rounding errors never
    accumulate: the total is exact and each phoneme is within one frame of its share.
    """
    frames = (torch.exp(log_durations) - 1.0).clamp(min=0.0) * duration_scale
    frames = frames / speed.unsqueeze(1) * mask.to(frames.dtype)
    total = frames.sum(dim=1, keepdim=True)
    wanted = target_frames.to(frames.dtype).unsqueeze(1)
    has_target = wanted > 0
    # A degenerate prediction (all zero) is spread evenly so a target can still be met.
    even = mask.to(frames.dtype) / mask.sum(dim=1, keepdim=True).clamp(min=1).to(frames.dtype)
    shares = torch.where(total > 0, frames / total.clamp(min=1e-6), even)
    frames = torch.where(has_target, shares * wanted, frames)
    boundaries = torch.round(torch.cumsum(frames, dim=1))
    previous = torch.cat([torch.zeros_like(boundaries[:, :1]), boundaries[:, :-1]], dim=1)
    return (boundaries - previous).clamp(min=0).to(torch.int64)


def control_pitch(
    pitch: torch.Tensor,
    mask: torch.Tensor,
    pitch_shift: torch.Tensor,
    pitch_range: torch.Tensor,
    pitch_std: float,
) -> torch.Tensor:
    """Apply a shift in semitones and a range scale to normalized phoneme pitch.

    Args:
        pitch: [B, T] normalized log-F0 per phoneme.
        pitch_shift: [B, T] semitones per phoneme (+12 = one octave up).
        pitch_range: [B, T] scale of each phoneme's deviation around the utterance mean
            (1 = unchanged).
    """
    weights = mask.to(pitch.dtype)
    mean = (pitch * weights).sum(1, keepdim=True) / weights.sum(1, keepdim=True).clamp(min=1.0)
    shifted = mean + (pitch - mean) * pitch_range
    semitone = math.log(2.0) / 12.0 / pitch_std
    return (shifted + pitch_shift * semitone) * weights


def control_energy(
    energy: torch.Tensor, mask: torch.Tensor, energy_scale: torch.Tensor, mean: float, std: float
) -> torch.Tensor:
    """Scale phoneme energy in the linear domain; energy: [B, T] normalized, energy_scale: [B]."""
    linear = energy * std + mean
    return ((linear * energy_scale.unsqueeze(1) - mean) / std) * mask.to(energy.dtype)
