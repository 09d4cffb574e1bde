"""Acoustic model configuration: sizes from a preset, data-dependent fields from the corpus."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace

from emotts.errors import ConfigError
from emotts.models.decoders import resolve_decoder_section
from emotts.typecheck import check_dataclass_fields, check_positive

#: Accepted values of ``model.pitch_target``; the first is the default (every shipped voice).
PITCH_TARGETS = ("phoneme", "frame")

# Voice configs written before the decoder section had the ConvNeXt sizes as flat keys.
_LEGACY_DECODER_KEYS = {
    "decoder_layers": "layers",
    "decoder_inner": "inner",
    "decoder_kernel": "kernel",
}

# Sizes chosen for CPU inference: the encoder runs at phoneme rate and can afford attention;
# the decoder runs at frame rate (86 frames/s) and is convolutional to stay cheap.
_PRESETS: dict[str, dict] = {
    "tiny": dict(
        hidden=64,
        encoder_layers=1,
        encoder_heads=2,
        encoder_ff=128,
        decoder={"type": "convnext", "layers": 2, "inner": 128, "kernel": 7},
        emotion_dim=16,
        speaker_dim=8,
        predictor_filters=64,
    ),
    "small": dict(
        hidden=128,
        encoder_layers=3,
        encoder_heads=2,
        encoder_ff=512,
        decoder={"type": "convnext", "layers": 4, "inner": 384, "kernel": 7},
        emotion_dim=48,
        speaker_dim=32,
        predictor_filters=128,
    ),
    "default": dict(
        hidden=192,
        encoder_layers=4,
        encoder_heads=2,
        encoder_ff=768,
        decoder={"type": "convnext", "layers": 6, "inner": 576, "kernel": 7},
        emotion_dim=64,
        speaker_dim=32,
        predictor_filters=192,
    ),
}


@dataclass(frozen=True)
class AcousticConfig:
    """Everything needed to rebuild an :class:`AcousticModel` (saved in the voice's config)."""

    n_symbols: int
    labels: list[str]
    speakers: list[str]
    pitch_mean: float
    pitch_std: float
    energy_mean: float
    energy_std: float
    n_mels: int = 80
    hidden: int = 192
    encoder_layers: int = 4
    encoder_heads: int = 2
    encoder_ff: int = 768
    encoder_kernel: int = 3
    # The mel decoder: {"type": name in emotts.models.decoders.DECODERS, **its options}.
    decoder: dict = field(default_factory=dict)
    emotion_dim: int = 64
    speaker_dim: int = 32
    predictor_filters: int = 192
    predictor_kernel: int = 3
    dropout: float = 0.1
    aligner_temperature: float = 0.0005
    bin_loss_warmup_steps: int = 2000
    bin_loss_weight: float = 1.0
    emotion_consistency_weight: float = 1.0
    # "phoneme": one mean log-F0 per phoneme (every voice before issue 14); "frame": a log-F0
    # contour per mel frame predicted after length regulation (emotts.models.pitch_contour).
    pitch_target: str = "phoneme"
    extra: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.decoder, dict):
            raise ConfigError(
                f"model.decoder must be a mapping such as {{type: convnext, layers: 6}}; "
                f"got {self.decoder!r}"
            )
        object.__setattr__(self, "decoder", resolve_decoder_section(self.decoder))
        if self.pitch_target not in PITCH_TARGETS:
            raise ConfigError(
                f"model.pitch_target {self.pitch_target!r} is unknown; accepted: "
                f"{', '.join(PITCH_TARGETS)} (phoneme is the default)"
            )

    @property
    def n_labels(self) -> int:
        return len(self.labels)

    @property
    def n_speakers(self) -> int:
        return len(self.speakers)

    @property
    def condition_dim(self) -> int:
        """Width of the per-phoneme condition fed to conditional layer norms."""
        return self.emotion_dim + self.speaker_dim

    @classmethod
    def preset(cls, name: str, **values) -> AcousticConfig:
        """Build a config from a named size preset plus data fields and overrides."""
        if name not in _PRESETS:
            raise ConfigError(f"unknown model preset {name!r}; accepted: {', '.join(_PRESETS)}")
        preset = _PRESETS[name]
        decoder = values.get("decoder")
        if isinstance(decoder, dict) and decoder.get("type", "convnext") == "convnext":
            # Options for the preset's own decoder type refine its sizes; another type replaces it.
            values = {**values, "decoder": {**preset["decoder"], **decoder}}
        return cls.from_dict({**preset, **values})

    @staticmethod
    def preset_names() -> list[str]:
        return list(_PRESETS)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict, where: str = "model.") -> AcousticConfig:
        """Build from a ``model`` section; ``where`` prefixes error keys (e.g. the file's name).

        Raises:
            ConfigError: unknown or missing keys, a value of the wrong type, a size <= 0.
        """
        if not isinstance(data, dict):
            raise ConfigError(f"{where.rstrip('.')} must be a JSON object; got {data!r:.40}")
        data = _with_decoder_section(data)
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ConfigError(
                f"unknown model config keys {unknown} in {where.rstrip('.')}; accepted: "
                f"{', '.join(sorted(known))}"
            )
        # decoder: __post_init__ explains that section's form with an example.
        check_dataclass_fields(cls, {k: v for k, v in data.items() if k != "decoder"}, where)
        check_positive(data, _SIZES, where)
        try:
            config = cls(**data)
        except TypeError as error:
            raise ConfigError(f"{where.rstrip('.')} is incomplete: {error}") from None
        if "neutral" not in config.labels:
            raise ConfigError(f"{where}labels {config.labels} must include 'neutral'")
        if not config.speakers:
            raise ConfigError(f"{where}speakers: the model needs at least one speaker")
        return config

    def with_overrides(self, **values) -> AcousticConfig:
        return replace(self, **values)


# Sizes that must be positive (a zero or negative one cannot build a layer).
_SIZES = (
    "n_symbols",
    "n_mels",
    "hidden",
    "encoder_layers",
    "encoder_heads",
    "encoder_ff",
    "encoder_kernel",
    "emotion_dim",
    "speaker_dim",
    "predictor_filters",
    "predictor_kernel",
    "pitch_std",
    "energy_std",
)


def _with_decoder_section(data: dict) -> dict:
    """Fold the legacy flat ConvNeXt keys of old voice configs into ``decoder``."""
    legacy = {new: data[old] for old, new in _LEGACY_DECODER_KEYS.items() if old in data}
    if not legacy:
        return data
    section = data.get("decoder") or {}
    if not isinstance(section, dict) or section.get("type", "convnext") != "convnext":
        raise ConfigError(
            f"model keys {sorted(_LEGACY_DECODER_KEYS)} set ConvNeXt sizes but model.decoder is "
            f"{section!r}; put the options under model.decoder instead"
        )
    rest = {key: value for key, value in data.items() if key not in _LEGACY_DECODER_KEYS}
    return {**rest, "decoder": {**section, **legacy}}
