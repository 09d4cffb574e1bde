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

Crash safety: a checkpoint is written under a temporary name, fsynced and renamed
(:mod:`emotts.atomic`), and carries a SHA-256 of its structure and tensors in its header, so a
file damaged afterwards (truncated, altered, half-copied) is recognised when it is read
instead of resuming from garbage. Overwriting a checkpoint (``last.ckpt``) keeps the version
it replaces as ``<name>.previous.ckpt``: when the newest file turns out damaged, the run can
resume one checkpoint earlier (see :mod:`emotts.train.resume`).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Any

import torch
from lightning.fabric.utilities.types import _PATH
from lightning.pytorch.plugins.io import CheckpointIO
from safetensors import SafetensorError, safe_open
from safetensors.torch import save as serialize

from emotts.atomic import atomic_file
from emotts.errors import ConfigError

_STRUCTURE_KEY = "emotts_checkpoint"
_FORMAT = "emotts-lightning-checkpoint-1"
_TENSOR, _TUPLE, _DICT = "$tensor", "$tuple", "$dict"
# Crash tests set this to a step number: writing a checkpoint of that step or later stops
# halfway through the temporary file (announced on stderr) so the test can kill the process
# mid-write. Unset in normal use.
PAUSE_ENV = "EMOTTS_TEST_PAUSE_CHECKPOINT_AT_STEP"
PREVIOUS_SUFFIX = ".previous.ckpt"


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


def _digest(structure: str, tensors: dict[str, torch.Tensor]) -> str:
    """SHA-256 over the JSON structure and every tensor's name, dtype, shape and bytes."""
    digest = hashlib.sha256(structure.encode("utf-8"))
    for name in sorted(tensors):
        tensor = tensors[name]
        digest.update(f"{name}|{tensor.dtype}|{tuple(tensor.shape)}|".encode())
        if tensor.numel():
            digest.update(tensor.contiguous().reshape(-1).view(torch.uint8).numpy().tobytes())
    return digest.hexdigest()


def previous_path(path: Path) -> Path:
    """Where the version of ``path`` that a new save replaces is kept."""
    return path.with_name(path.name.removesuffix(".ckpt") + PREVIOUS_SUFFIX)


def _keep_previous(path: Path) -> None:
    """Keep the current ``path`` as its ``.previous.ckpt``, without ever lacking either."""
    target = previous_path(path)
    staging = target.with_name(f".{target.name}.link")
    staging.unlink(missing_ok=True)
    try:
        os.link(path, staging)
    except OSError:  # file systems without hard links
        shutil.copy2(path, staging)
    os.replace(staging, target)


def _write(stream, data: bytes, step: int | None, path: Path) -> None:
    pause_at = os.environ.get(PAUSE_ENV)
    if pause_at is None or step is None or step < int(pause_at):
        stream.write(data)
        return
    stream.write(data[: len(data) // 2])
    stream.flush()
    os.fsync(stream.fileno())
    print(f"emotts: paused writing checkpoint {path} at step {step}", file=sys.stderr, flush=True)
    time.sleep(3600)
    stream.write(data[len(data) // 2 :])


def save_checkpoint_file(
    checkpoint: dict[str, Any], path: str | Path, keep_previous: bool = False
) -> None:
    """Write ``checkpoint`` to ``path`` atomically (a crash never leaves half a file there).

    ``keep_previous``: an existing ``path`` is kept as ``<name>.previous.ckpt`` first.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tensors: dict[str, torch.Tensor] = {}
    structure = json.dumps(_encode(checkpoint, tensors, "checkpoint"))
    step = checkpoint.get("global_step")
    metadata = {
        "format": _FORMAT,
        _STRUCTURE_KEY: structure,
        "sha256": _digest(structure, tensors),
        "global_step": str(step if isinstance(step, int) else ""),
    }
    data = serialize(tensors, metadata=metadata)
    if keep_previous and path.is_file():
        _keep_previous(path)
    with atomic_file(path) as stream:
        _write(stream, data, step if isinstance(step, int) else None, path)


def _damaged(path: Path, problem: str) -> ConfigError:
    return ConfigError(
        f"checkpoint {path} is damaged: {problem} (it was altered, truncated or only partly copied)"
    )


def read_checkpoint_step(path: str | Path) -> int | None:
    """The global step recorded in a checkpoint's header (cheap: tensors are not read).

    Raises:
        ConfigError: the file is not a readable emotts checkpoint.
    """
    path = Path(path)
    metadata = _metadata(path)
    text = metadata.get("global_step", "")
    return int(text) if text.isdigit() else None


def _metadata(path: Path) -> dict[str, str]:
    try:
        with safe_open(str(path), framework="pt", device="cpu") as handle:
            metadata = handle.metadata() or {}
    except (OSError, SafetensorError) as error:
        raise _not_readable(path, error) from None
    if metadata.get("format") != _FORMAT:
        raise ConfigError(
            f"{path} is not an emotts checkpoint (format {metadata.get('format')!r}; "
            f"expected {_FORMAT!r}); pickled .ckpt files are not loaded, by design"
        )
    return metadata


def _not_readable(path: Path, error: Exception) -> ConfigError:
    return ConfigError(
        f"checkpoint {path} is damaged or not an emotts checkpoint: it cannot be read as "
        f"safetensors ({error}); pickled .ckpt files are not loaded, by design"
    )


def load_checkpoint_file(path: str | Path, device: str = "cpu") -> dict[str, Any]:
    """Read and verify a checkpoint written by :func:`save_checkpoint_file`; never unpickles.

    Raises:
        ConfigError: the file is missing, not an emotts checkpoint, or damaged (its checksum
            does not match); the message names the file.
    """
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"checkpoint {path} does not exist")
    metadata = _metadata(path)
    try:
        with safe_open(str(path), framework="pt", device=device) as handle:
            tensors = {name: handle.get_tensor(name) for name in handle.keys()}  # noqa: SIM118
    except (OSError, SafetensorError) as error:
        raise _not_readable(path, error) from None
    structure = metadata.get(_STRUCTURE_KEY)
    if structure is None:
        raise _damaged(path, f"its header has no {_STRUCTURE_KEY!r} entry")
    # Checkpoints from before checksums were written have no "sha256"; they load unverified.
    expected = metadata.get("sha256")
    if expected is not None and _digest(structure, tensors) != expected:
        raise _damaged(path, "its contents do not match the SHA-256 written with it")
    try:
        return _decode(json.loads(structure), tensors)
    except (ValueError, KeyError, TypeError) as error:
        raise _damaged(path, f"its structure cannot be decoded ({error})") from None


class SafetensorsCheckpointIO(CheckpointIO):
    """Lightning ``CheckpointIO`` plugin that stores checkpoints without pickle."""

    def save_checkpoint(
        self, checkpoint: dict[str, Any], path: _PATH, storage_options: Any | None = None
    ) -> None:
        save_checkpoint_file(checkpoint, path, keep_previous=True)

    def load_checkpoint(
        self, path: _PATH, map_location: Any | None = None, weights_only: bool | None = None
    ) -> dict[str, Any]:
        # Tensors load on the CPU; Lightning moves state to the module's device when it
        # restores it. weights_only is moot: nothing here can hold code.
        return load_checkpoint_file(path)

    def remove_checkpoint(self, path: _PATH) -> None:
        Path(path).unlink(missing_ok=True)
        previous_path(Path(path)).unlink(missing_ok=True)
