"""The one interface every vocoder implements: log-mel in, waveform out."""

from __future__ import annotations

from abc import ABC, abstractmethod

import torch


class Vocoder(torch.nn.Module, ABC):
    """Turns natural-log magnitude mel spectrograms into waveforms.

    Attributes:
        sample_rate: output sample rate in Hz.
        hop_length: waveform samples per mel frame.
        n_mels: number of mel bands the vocoder expects.
        receptive_frames: mel frames on each side that influence one frame's samples, so
            chunked vocoding with this much context equals one-shot vocoding; None when the
            vocoder is not local (every sample depends on the whole mel).
    """

    sample_rate: int
    hop_length: int
    n_mels: int
    receptive_frames: int | None = None

    @abstractmethod
    def forward(self, mel: torch.Tensor) -> torch.Tensor:
        """Synthesize audio.

        Args:
            mel: log-mel spectrogram [B, n_mels, T].

        Returns:
            waveform [B, T * hop_length], float in [-1, 1].
        """
