"""Voice directories: `model.safetensors` + `config.json`. Loading never unpickles anything."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import torch
from safetensors import SafetensorError
from safetensors.torch import load as deserialize
from safetensors.torch import save as serialize

from emotts.atomic import write_bytes_atomically
from emotts.audio.config import AudioConfig
from emotts.errors import ConfigError
from emotts.models.acoustic_model import AcousticModel
from emotts.models.config import AcousticConfig
from emotts.voices.config import TORCH_FILE as CONFIG_FILE
from emotts.voices.config import TORCH_FORMAT as VOICE_FORMAT
from emotts.voices.config import TORCH_VERSION as VOICE_FORMAT_VERSION
from emotts.voices.config import VoiceConfig

MODEL_FILE = "model.safetensors"


def save_voice(
    directory: str | Path,
    model: AcousticModel,
    *,
    audio_config: AudioConfig,
    language: str,
    symbols: list[str],
    vocoder: str = "hifigan-universal",
    half: bool = False,
    extra: dict | None = None,
) -> Path:
    """Write a loadable voice directory; ``half`` stores weights as fp16 (for shipping)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    state = {}
    for name, tensor in model.state_dict().items():
        tensor = tensor.detach().cpu().contiguous()
        state[name] = tensor.half() if half and tensor.is_floating_point() else tensor
    # Each file appears complete or not at all (temporary name, fsync, rename).
    weights = serialize(state)
    write_bytes_atomically(directory / MODEL_FILE, weights)
    config = {
        "format": VOICE_FORMAT,
        "version": VOICE_FORMAT_VERSION,
        "audio": audio_config.to_dict(),
        "text": {"language": language, "symbols": list(symbols)},
        "model": model.config.to_dict(),
        "vocoder": vocoder,
        "extra": extra or {},
        # Lets loading tell altered or half-copied weights from good ones.
        "weights_sha256": hashlib.sha256(weights).hexdigest(),
    }
    write_bytes_atomically(
        directory / CONFIG_FILE, json.dumps(config, indent=2, ensure_ascii=False).encode("utf-8")
    )
    return directory


def read_voice_config(directory: str | Path) -> dict:
    """A torch voice's config.json, checked (see `emotts.voices.config.VoiceConfig`)."""
    return VoiceConfig.read(directory, "torch").document


def _read_weights(weights: Path, expected: object) -> dict[str, torch.Tensor]:
    """The tensors of ``model.safetensors``, checked against config.json's SHA-256 if any."""
    data = weights.read_bytes()
    if expected is not None and hashlib.sha256(data).hexdigest() != expected:
        raise ConfigError(
            f"{weights} is damaged: its SHA-256 differs from the one in {CONFIG_FILE} "
            f"(the file was altered, truncated or only partly copied); copy or export it again"
        )
    try:
        return deserialize(data)
    except (SafetensorError, ValueError) as error:
        raise ConfigError(
            f"{weights} is not a readable safetensors file ({error}): it is damaged (e.g. "
            f"truncated) or not a weights file; weights are never unpickled, by design"
        ) from None


def load_acoustic_model(directory: str | Path) -> tuple[AcousticModel, dict]:
    """Rebuild the model from a voice directory (fp32, eval mode) and return it with its config.

    Raises:
        ConfigError: config.json or model.safetensors is missing, damaged, of the wrong types,
            or the two do not match (the message names the file).
    """
    directory = Path(directory)
    config = read_voice_config(directory)
    config_path = directory / CONFIG_FILE
    weights = directory / MODEL_FILE
    if not weights.is_file():
        raise ConfigError(f"{directory}: {MODEL_FILE} is missing")
    model_config = AcousticConfig.from_dict(config["model"], f"{config_path}: model.")
    try:
        model = AcousticModel(model_config)
    except (TypeError, ValueError, RuntimeError) as error:
        raise ConfigError(
            f"{config_path}: the model section cannot build a model: {error}"
        ) from None
    state = {
        name: tensor.float() if tensor.is_floating_point() else tensor
        for name, tensor in _read_weights(weights, config.get("weights_sha256")).items()
    }
    try:
        missing, unexpected = model.load_state_dict(state, strict=False)
    except RuntimeError as error:
        first = str(error).strip().splitlines()[-1].strip()
        raise ConfigError(f"{weights} does not match {config_path}: {first}") from None
    if missing or unexpected:
        raise ConfigError(
            f"{weights} does not match its config: missing {sorted(missing)[:5]}, "
            f"unexpected {sorted(unexpected)[:5]}"
        )
    model.eval()
    return model, config


def count_parameters(model: torch.nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())
