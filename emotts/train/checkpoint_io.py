"""Lightning checkpoints without pickle: tensors in safetensors, everything else in JSON.

A Lightning checkpoint is a nested structure of dicts, lists, tuples, numbers, strings and
tensors (model and optimizer state, scheduler state, loop progress, callback state). Each one is
written as a single safetensors file: the tensors under generated names, and the structure, with
tensors replaced by references to those names, as JSON in the file's header metadata. One file
per checkpoint keeps Lightning's own file handling (top-k pruning, ``last.ckpt``) working
unchanged. Loading parses JSON and reads raw tensor bytes, so resuming a run can never execute
code from a checkpoint file, unlike ``torch.load`` of a pickle.

JSON objects carry only string keys, so dicts with other keys (optimizer state is keyed by
parameter index) and tuples (AdamW's ``betas``) are tagged to round-trip exactly.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import torch
from lightning.fabric.utilities.types import _PATH
from lightning.pytorch.plugins.io import CheckpointIO
from safetensors import SafetensorError, safe_open
from safetensors.torch import save_file

from emotts.errors import ConfigError

_STRUCTURE_KEY = "emotts_checkpoint"
_FORMAT = "emotts-lightning-checkpoint-1"
_TENSOR, _TUPLE, _DICT = "$tensor", "$tuple", "$dict"


def _encode(value: Any, tensors: dict[str, torch.Tensor], where: str) -> Any:
    """JSON-able form of ``value``; tensors move to ``tensors`` and are referenced by name."""
    if isinstance(value, torch.Tensor):
        name = f"t{len(tensors)}"
        # clone: safetensors refuses tensors that share storage (tied or viewed parameters).
        tensors[name] = value.detach().cpu().contiguous().clone()
        return {_TENSOR: name}
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, tuple):
        return {_TUPLE: [_encode(v, tensors, f"{where}[{i}]") for i, v in enumerate(value)]}
    if isinstance(value, list):
        return [_encode(v, tensors, f"{where}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, dict):
        plain = all(isinstance(k, str) and not k.startswith("$") for k in value)
        if plain:
            return {k: _encode(v, tensors, f"{where}.{k}") for k, v in value.items()}
        return {
            _DICT: [
                [_encode(k, tensors, f"{where} key"), _encode(v, tensors, f"{where}[{k!r}]")]
                for k, v in value.items()
            ]
        }
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    raise TypeError(
        f"checkpoint entry {where} is a {type(value).__name__}, which cannot be stored without "
        f"pickle; store tensors, numbers, strings, lists, tuples or dicts"
    )


def _decode(value: Any, tensors: dict[str, torch.Tensor]) -> Any:
    if isinstance(value, list):
        return [_decode(v, tensors) for v in value]
    if not isinstance(value, dict):
        return value
    if _TENSOR in value:
        return tensors[value[_TENSOR]]
    if _TUPLE in value:
        return tuple(_decode(v, tensors) for v in value[_TUPLE])
    if _DICT in value:
        return {_decode(k, tensors): _decode(v, tensors) for k, v in value[_DICT]}
    return {k: _decode(v, tensors) for k, v in value.items()}


def save_checkpoint_file(checkpoint: dict[str, Any], path: str | Path) -> None:
    """Write ``checkpoint`` to ``path`` atomically (a crash never leaves half a file)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tensors: dict[str, torch.Tensor] = {}
    structure = _encode(checkpoint, tensors, "checkpoint")
    metadata = {"format": _FORMAT, _STRUCTURE_KEY: json.dumps(structure)}
    partial = path.with_name(path.name + ".partial")
    save_file(tensors, str(partial), metadata=metadata)
    os.replace(partial, path)


def load_checkpoint_file(path: str | Path, device: str = "cpu") -> dict[str, Any]:
    """Read a checkpoint written by :func:`save_checkpoint_file`; never unpickles."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"checkpoint {path} does not exist")
    try:
        with safe_open(str(path), framework="pt", device=device) as handle:
            metadata = handle.metadata() or {}
            if metadata.get("format") != _FORMAT:
                raise ConfigError(
                    f"{path} is not an emotts checkpoint (format {metadata.get('format')!r}; "
                    f"expected {_FORMAT!r}); pickled .ckpt files are not loaded, by design"
                )
            tensors = {name: handle.get_tensor(name) for name in handle.keys()}  # noqa: SIM118
    except (OSError, SafetensorError) as error:
        raise ConfigError(
            f"cannot read {path} as a safetensors checkpoint ({error}); pickled .ckpt files "
            f"are not loaded, by design"
        ) from None
    return _decode(json.loads(metadata[_STRUCTURE_KEY]), tensors)


class SafetensorsCheckpointIO(CheckpointIO):
    """Lightning ``CheckpointIO`` plugin that stores checkpoints without pickle."""

    def save_checkpoint(
        self, checkpoint: dict[str, Any], path: _PATH, storage_options: Any | None = None
    ) -> None:
        save_checkpoint_file(checkpoint, path)

    def load_checkpoint(
        self, path: _PATH, map_location: Any | None = None, weights_only: bool | None = None
    ) -> dict[str, Any]:
        # Tensors load on the CPU; Lightning moves state to the module's device when it
        # restores it. weights_only is moot: nothing here can hold code.
        return load_checkpoint_file(path)

    def remove_checkpoint(self, path: _PATH) -> None:
        Path(path).unlink(missing_ok=True)
