"""Audio front-end configuration shared by features, models and vocoders."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class AudioConfig:
    """Mel front-end settings.

    Defaults are the HiFi-GAN universal configuration, so that the pretrained universal
    generator vocodes our mels directly: 22050 Hz, n_fft = win = 1024, hop 256, 80 Slaney mel
    bands over 0-8000 Hz, magnitude spectrogram, reflect padding of (n_fft - hop) / 2 with
    centre=False, log(max(x, 1e-5)).
    """

    sample_rate: int = 22050
    n_fft: int = 1024
    win_length: int = 1024
    hop_length: int = 256
    n_mels: int = 80
    f_min: float = 0.0
    f_max: float = 8000.0
    log_floor: float = 1e-5

    @property
    def frame_seconds(self) -> float:
        """Duration of one mel frame in seconds."""
        return self.hop_length / self.sample_rate

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> AudioConfig:
        return cls(**data)
