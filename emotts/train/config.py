"""Training configuration: typed dataclasses read from a YAML recipe.

A recipe looks like::

    data:  {manifest: manifest.jsonl, cache_dir: cache, language: en-us,
            labels: [neutral, happy], speakers: [spk1]}
    model: {preset: default}            # any other key overrides a preset field
    train: {output_dir: runs/x, batch_size: 16, max_steps: 40000}

Relative paths resolve against the YAML file's folder, so a recipe runs from any directory.
Unknown keys and wrong types raise :class:`ConfigError` naming the key and what is accepted.
"""

from __future__ import annotations

import types
import typing
from dataclasses import MISSING, dataclass, field, fields
from pathlib import Path
from typing import Any

import yaml

from emotts.errors import ConfigError

PRECISIONS = ("32-true", "32", "16-mixed", "bf16-mixed", "64-true")
ACCELERATORS = ("auto", "cpu", "gpu", "cuda", "mps")
# The DDP family only: the acoustic model is small enough to replicate on every device, so
# sharded strategies (FSDP, DeepSpeed) would add communication without saving needed memory.
STRATEGIES = ("auto", "ddp", "ddp_spawn", "ddp_find_unused_parameters_true")


@dataclass
class DataConfig:
    manifest: Path
    cache_dir: Path
    language: str = "en-us"
    # None: take them from the cache (labels in canonical order, speakers sorted).
    labels: list[str] | None = None
    speakers: list[str] | None = None
    # Processes for the feature cache build; None uses every core.
    workers: int | None = None


@dataclass
class ModelSection:
    preset: str = "default"
    # Every other key under `model:`; passed to AcousticConfig.preset, which validates them.
    overrides: dict[str, Any] = field(default_factory=dict)


@dataclass
class TrainSettings:
    output_dir: Path
    batch_size: int = 16
    max_steps: int = 40000
    learning_rate: float = 1e-3
    warmup_steps: int = 1000
    weight_decay: float = 0.01
    grad_clip: float = 1.0
    val_every_n_steps: int = 1000
    checkpoint_every_n_steps: int = 1000
    log_audio_every_n_steps: int = 5000
    log_every_n_steps: int = 50
    # False: only checkpoints/last.ckpt (overwritten); true: also keep every step=N.ckpt.
    keep_all_checkpoints: bool = False
    # Model parts (AcousticModel children, e.g. text_encoder) kept fixed: trained elsewhere.
    freeze: list[str] = field(default_factory=list)
    num_workers: int = 2
    seed: int = 1234
    precision: str = "32-true"
    accelerator: str = "auto"
    # Processes per node: "auto", a count, or a list of GPU indices. batch_size is per
    # process, so the global batch is batch_size * devices * num_nodes.
    devices: int | list[int] | str = "auto"
    strategy: str = "auto"
    num_nodes: int = 1


@dataclass
class TrainConfig:
    data: DataConfig
    model: ModelSection
    train: TrainSettings
    path: Path | None = None


def _type_name(kind: Any) -> str:
    if typing.get_origin(kind) in (types.UnionType, typing.Union):
        return " or ".join(_type_name(a) for a in typing.get_args(kind) if a is not type(None))
    if typing.get_origin(kind) is list:
        return "a list of " + _type_name(typing.get_args(kind)[0]).split(" ", 1)[1] + "s"
    names = {int: "an integer", float: "a number", str: "a string", bool: "true/false"}
    return names.get(kind, "a path" if kind is Path else getattr(kind, "__name__", str(kind)))


def _coerce(value: Any, kind: Any, key: str, base: Path) -> Any:
    """Check ``value`` against the annotation ``kind``; paths resolve against ``base``."""
    origin = typing.get_origin(kind)
    if origin in (types.UnionType, typing.Union):
        options = typing.get_args(kind)
        if value is None and type(None) in options:
            return None
        for option in (o for o in options if o is not type(None)):
            try:
                return _coerce(value, option, key, base)
            except ConfigError:
                continue
    elif origin is list:
        if isinstance(value, list):
            return [
                _coerce(v, typing.get_args(kind)[0], f"{key}[{i}]", base)
                for i, v in enumerate(value)
            ]
    elif kind is Path:
        if isinstance(value, str) and value:
            path = Path(value).expanduser()
            return path if path.is_absolute() else base / path
    elif kind is float:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
    elif kind is bool:
        if isinstance(value, bool):
            return value
    elif kind is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    elif isinstance(value, kind):
        return value
    raise ConfigError(f"config key '{key}' is {value!r}; accepted: {_type_name(kind)}")


def _section(cls: type, raw: Any, name: str, base: Path, extra_key: str | None = None):
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ConfigError(f"config section '{name}' must be a mapping, got {type(raw).__name__}")
    hints = typing.get_type_hints(cls)
    known = [f for f in fields(cls) if f.name != extra_key]
    values: dict[str, Any] = {}
    for f in known:
        if f.name in raw:
            values[f.name] = _coerce(raw[f.name], hints[f.name], f"{name}.{f.name}", base)
        elif f.default is MISSING and f.default_factory is MISSING:
            raise ConfigError(
                f"config key '{name}.{f.name}' is required ({_type_name(hints[f.name])})"
            )
    unknown = sorted(set(raw) - {f.name for f in known})
    if extra_key is not None:
        values[extra_key] = {k: raw[k] for k in unknown}
    elif unknown:
        accepted = ", ".join(f.name for f in known)
        raise ConfigError(f"unknown config key '{name}.{unknown[0]}'; accepted: {accepted}")
    return cls(**values)


def _check_choices(config: TrainConfig) -> None:
    settings = config.train
    if settings.precision not in PRECISIONS:
        raise ConfigError(
            f"config key 'train.precision' is {settings.precision!r}; accepted: {', '.join(PRECISIONS)}"
        )
    if settings.accelerator not in ACCELERATORS:
        raise ConfigError(
            f"config key 'train.accelerator' is {settings.accelerator!r}; "
            f"accepted: {', '.join(ACCELERATORS)}"
        )
    _check_distribution(settings)
    positive = ("batch_size", "max_steps", "val_every_n_steps", "checkpoint_every_n_steps")
    for name in (*positive, "log_every_n_steps", "log_audio_every_n_steps"):
        if getattr(settings, name) < (1 if name in positive else 0):
            raise ConfigError(
                f"config key 'train.{name}' is {getattr(settings, name)}; accepted: an integer "
                f">= {1 if name in positive else 0}"
            )
    for name in ("warmup_steps", "num_workers"):
        if getattr(settings, name) < 0:
            raise ConfigError(f"config key 'train.{name}' is negative; accepted: an integer >= 0")
    for name in ("learning_rate", "grad_clip"):
        if not getattr(settings, name) > 0:
            raise ConfigError(f"config key 'train.{name}' must be a number > 0")
    if config.data.workers is not None and config.data.workers < 1:
        raise ConfigError("config key 'data.workers' must be an integer >= 1 or null")


def _check_distribution(settings: TrainSettings) -> None:
    devices = settings.devices
    if isinstance(devices, str) and devices != "auto":
        raise ConfigError(
            f"config key 'train.devices' is {devices!r}; accepted: auto, an integer >= 1 "
            "or a list of GPU indices"
        )
    if isinstance(devices, int) and devices < 1:
        raise ConfigError(f"config key 'train.devices' is {devices}; accepted: an integer >= 1")
    if isinstance(devices, list):
        if not devices or min(devices) < 0 or len(set(devices)) != len(devices):
            raise ConfigError(
                f"config key 'train.devices' is {devices}; accepted: a non-empty list of "
                "distinct GPU indices >= 0"
            )
        if settings.accelerator not in ("gpu", "cuda"):
            raise ConfigError(
                "config key 'train.devices' lists GPU indices, which needs 'train.accelerator' "
                f"gpu or cuda (it is {settings.accelerator!r}); accepted otherwise: auto or a "
                "process count"
            )
    if settings.strategy not in STRATEGIES:
        raise ConfigError(
            f"config key 'train.strategy' is {settings.strategy!r}; accepted: {', '.join(STRATEGIES)}"
        )
    if settings.num_nodes < 1:
        raise ConfigError(
            f"config key 'train.num_nodes' is {settings.num_nodes}; accepted: an integer >= 1"
        )


def config_from_dict(raw: Any, base: Path) -> TrainConfig:
    """Validate a parsed YAML document; relative paths resolve against ``base``."""
    if not isinstance(raw, dict):
        raise ConfigError(
            f"a training config must be a mapping with sections data, model, train; "
            f"got {type(raw).__name__}"
        )
    unknown = sorted(set(raw) - {"data", "model", "train"})
    if unknown:
        raise ConfigError(f"unknown config section '{unknown[0]}'; accepted: data, model, train")
    if "data" not in raw or "train" not in raw:
        raise ConfigError("a training config needs the sections 'data' and 'train'")
    config = TrainConfig(
        data=_section(DataConfig, raw["data"], "data", base),
        model=_section(ModelSection, raw.get("model"), "model", base, extra_key="overrides"),
        train=_section(TrainSettings, raw["train"], "train", base),
    )
    _check_choices(config)
    return config


def read_yaml(path: Path, what: str) -> Any:
    """The parsed YAML document at ``path``; ConfigError when it is missing or not YAML."""
    if not path.is_file():
        raise ConfigError(f"{what} {path} does not exist; expected a YAML file")
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise ConfigError(f"{path} is not valid YAML: {error}") from None


def load_config(path: str | Path) -> TrainConfig:
    """Read and validate a YAML training config."""
    path = Path(path)
    config = config_from_dict(read_yaml(path, "training config"), path.resolve().parent)
    config.path = path.resolve()
    return config
