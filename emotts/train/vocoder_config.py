"""Vocoder training configuration: typed dataclasses read from YAML (like the acoustic recipe).

    data:  {manifests: [a/manifest.jsonl, b/manifest.jsonl], cache_dir: cache,
            target: teacher, train_seconds_per_speaker: 480, segment_frames: 64}
    model: {dim: 256, intermediate_dim: 768, layers: 8}
    train: {output_dir: runs/vocoder, batch_size: 16, max_steps: 20000}
    loss:  {mel: 45, stft: 1, complex: 10, wave: 0}
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from emotts.errors import ConfigError
from emotts.train.config import _section, read_yaml
from emotts.train.vocoder_data import TARGETS
from emotts.train.vocoder_losses import LossWeights


@dataclass
class VocoderData:
    manifests: list[Path]
    cache_dir: Path
    target: str = "teacher"
    train_seconds_per_speaker: float | None = None
    val_seconds_per_speaker: float | None = 60.0
    segment_frames: int = 64
    seed: int = 0


@dataclass
class VocoderModel:
    dim: int = 256
    intermediate_dim: int = 768
    layers: int = 8
    kernel_size: int = 7


@dataclass
class VocoderTrain:
    output_dir: Path
    batch_size: int = 16
    max_steps: int = 20000
    learning_rate: float = 5e-4
    warmup_steps: int = 200
    weight_decay: float = 0.01
    grad_clip: float = 10.0
    val_every_n_steps: int = 500
    checkpoint_every_n_steps: int = 250
    log_every_n_steps: int = 25
    num_workers: int = 0
    seed: int = 1234
    threads: int | None = None


@dataclass
class VocoderLossSection:
    mel: float = 45.0
    stft: float = 1.0
    complex: float = 10.0
    wave: float = 0.0

    def weights(self) -> LossWeights:
        return LossWeights(self.mel, self.stft, self.complex, self.wave)


@dataclass
class VocoderConfig:
    data: VocoderData
    train: VocoderTrain
    model: VocoderModel = field(default_factory=VocoderModel)
    loss: VocoderLossSection = field(default_factory=VocoderLossSection)
    path: Path | None = None


_SECTIONS = {"data": VocoderData, "model": VocoderModel, "train": VocoderTrain, "loss": VocoderLossSection}


def vocoder_config_from_dict(raw: Any, base: Path) -> VocoderConfig:
    """Validate a parsed YAML document; relative paths resolve against ``base``."""
    if not isinstance(raw, dict):
        raise ConfigError(
            f"a vocoder config must be a mapping with sections {', '.join(_SECTIONS)}; "
            f"got {type(raw).__name__}"
        )
    unknown = sorted(set(raw) - set(_SECTIONS))
    if unknown:
        raise ConfigError(f"unknown config section '{unknown[0]}'; accepted: {', '.join(_SECTIONS)}")
    if "data" not in raw or "train" not in raw:
        raise ConfigError("a vocoder config needs the sections 'data' and 'train'")
    sections = {name: _section(cls, raw.get(name), name, base) for name, cls in _SECTIONS.items()}
    config = VocoderConfig(**sections)
    if config.data.target not in TARGETS:
        raise ConfigError(
            f"config key 'data.target' is {config.data.target!r}; accepted: {', '.join(TARGETS)}"
        )
    for name in ("segment_frames",):
        if getattr(config.data, name) < 8:
            raise ConfigError(f"config key 'data.{name}' must be an integer >= 8")
    for name in ("batch_size", "max_steps", "val_every_n_steps", "checkpoint_every_n_steps"):
        if getattr(config.train, name) < 1:
            raise ConfigError(f"config key 'train.{name}' must be an integer >= 1")
    if not config.data.manifests:
        raise ConfigError("config key 'data.manifests' is empty; accepted: a list of manifest paths")
    return config


def load_vocoder_config(path: str | Path) -> VocoderConfig:
    """Read and validate a YAML vocoder training config."""
    path = Path(path)
    config = vocoder_config_from_dict(read_yaml(path, "vocoder config"), path.resolve().parent)
    config.path = path.resolve()
    return config
