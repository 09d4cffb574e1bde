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
    def from_dict(cls, data: dict, where: str = "audio.") -> AudioConfig:
        """Build from a file's ``audio`` section; ``where`` prefixes error keys (the file).

        Raises:
            ConfigError: a value of the wrong type or out of range (names the key).
        """
        from emotts.errors import ConfigError
        from emotts.typecheck import check_dataclass_fields, check_positive

        check_dataclass_fields(cls, data, where)
        check_positive(data, ("sample_rate", "n_fft", "win_length", "hop_length", "n_mels"), where)
        check_positive(data, ("f_max", "log_floor"), where)
        config = cls(**data)
        if not 0 <= config.f_min < config.f_max or config.win_length > config.n_fft:
            raise ConfigError(
                f"{where.rstrip('.')}: f_min {config.f_min} / f_max {config.f_max} / win_length "
                f"{config.win_length} / n_fft {config.n_fft}; accepted: 0 <= f_min < f_max and "
                "win_length <= n_fft"
            )
        return config
