"""Griffin-Lim phase reconstruction: a vocoder that needs no trained weights."""

from __future__ import annotations

import torch
import torchaudio

from vocoders.base import Vocoder
from vocoders.settings import UNIVERSAL, MelSettings


class GriffinLim(Vocoder):
    """Log-mel -> linear magnitude (filterbank pseudo-inverse) -> Griffin-Lim phase estimate.

    Quality is far below a neural vocoder; it exists so the toolkit can always make a sound.
    """

    def __init__(self, settings: MelSettings = UNIVERSAL, n_iter: int = 32) -> None:
        super().__init__()
        self.settings = settings
        self.sample_rate = settings.sample_rate
        self.hop_length = settings.hop_length
        self.n_mels = settings.n_mels
        self.n_iter = n_iter
        fbank = torchaudio.functional.melscale_fbanks(
            n_freqs=settings.n_fft // 2 + 1,
            f_min=settings.f_min,
            f_max=settings.f_max,
            n_mels=settings.n_mels,
            sample_rate=settings.sample_rate,
            norm="slaney",
            mel_scale="slaney",
        )  # [n_freqs, n_mels]
        self.register_buffer("inverse_fbank", torch.linalg.pinv(fbank.T), persistent=False)
        self.register_buffer("window", torch.hann_window(settings.win_length), persistent=False)

    def forward(self, mel: torch.Tensor) -> torch.Tensor:
        """mel: natural-log magnitude mel [B, n_mels, T] -> waveform [B, T * hop_length]."""
        frames = mel.shape[-1]
        hop = self.hop_length
        # The pseudo-inverse can go negative between filter peaks; magnitudes cannot.
        magnitude = (self.inverse_fbank @ mel.exp()).clamp(min=0.0)  # [B, n_freqs, T]
        # torchaudio's inverse STFT centres frame i on sample i * hop, whereas our front-end
        # centres it on (i + 0.5) * hop; shifting by half a hop keeps audio and mel aligned.
        shift = hop // 2
        audio = torchaudio.functional.griffinlim(
            magnitude,
            window=self.window,
            n_fft=self.settings.n_fft,
            hop_length=hop,
            win_length=self.settings.win_length,
            power=1.0,
            n_iter=self.n_iter,
            momentum=0.99,
            length=frames * hop - shift,
            # Zero-phase start keeps the output deterministic.
            rand_init=False,
        )
        audio = torch.nn.functional.pad(audio, (shift, 0))
        return audio.clamp(-1.0, 1.0)
