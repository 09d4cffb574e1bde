"""The decoder interface: frames of hidden states -> mel spectrogram.

A FastSpeech-style regression decoder and a flow-matching decoder (e.g. OT-CFM as in
Matcha-TTS) differ in how they train and generate, not in what they consume, so the acoustic
model only talks to this interface.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

import torch
from torch import nn


class MelDecoder(nn.Module, ABC):
    """Decodes length-regulated frames into a mel spectrogram."""

    @abstractmethod
    def loss(
        self,
        frames: torch.Tensor,
        mask: torch.Tensor,
        condition: torch.Tensor,
        target_mel: torch.Tensor,
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Training loss.

        Args:
            frames: [B, T_fr, H] length-regulated hidden states.
            mask: [B, T_fr] True on real frames.
            condition: [B, T_fr, C] per-frame emotion and speaker condition.
            target_mel: [B, n_mels, T_fr] ground-truth log-mel.
        Returns:
            (scalar loss, predicted mel [B, n_mels, T_fr] for logging, or None if the decoder
            does not produce one in training).
        """

    @abstractmethod
    def generate(
        self, frames: torch.Tensor, mask: torch.Tensor, condition: torch.Tensor
    ) -> torch.Tensor:
        """Inference: frames [B, T_fr, H], mask [B, T_fr], condition [B, T_fr, C] -> mel [B, n_mels, T_fr]."""
