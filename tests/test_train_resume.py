"""Choosing the checkpoint to resume from: damaged files are detected, named and passed over."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest
import torch

from emotts.errors import ConfigError
from emotts.train.checkpoint_io import (
    SafetensorsCheckpointIO,
    load_checkpoint_file,
    previous_path,
    save_checkpoint_file,
)
from emotts.train.resume import find_resume_point


def _checkpoint(step: int) -> dict:
    generator = torch.Generator().manual_seed(step)
    return {
        "global_step": step,
        "state_dict": {"w": torch.randn(64, 64, generator=generator)},
        "optimizer_states": [{"state": {0: {"step": torch.tensor(float(step))}}}],
    }


def _flip_a_tensor_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[-100] ^= 0xFF  # inside the last tensor's bytes, past the JSON header
    path.write_bytes(bytes(data))


def test_altered_bytes_fail_the_checksum(tmp_path: Path) -> None:
    path = tmp_path / "last.ckpt"
    save_checkpoint_file(_checkpoint(5), path)
    assert load_checkpoint_file(path)["global_step"] == 5
    _flip_a_tensor_byte(path)
    with pytest.raises(ConfigError, match=r"last\.ckpt is damaged: its contents do not match"):
        load_checkpoint_file(path)


@pytest.mark.parametrize("keep", [0.0, 0.5, 0.999])
def test_truncated_checkpoint_is_named(tmp_path: Path, keep: float) -> None:
    path = tmp_path / "last.ckpt"
    save_checkpoint_file(_checkpoint(5), path)
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    with pytest.raises(ConfigError, match=rf"checkpoint {path} is damaged"):
        load_checkpoint_file(path)


def test_resume_passes_over_a_damaged_newest_checkpoint(tmp_path: Path) -> None:
    io = SafetensorsCheckpointIO()
    last = tmp_path / "last.ckpt"
    for step in (10, 20, 30):
        io.save_checkpoint(_checkpoint(step), last)
    assert load_checkpoint_file(previous_path(last))["global_step"] == 20
    _flip_a_tensor_byte(last)
    (tmp_path / ".last.ckpt.abc123.partial").write_bytes(b"half a checkpoint")

    point = find_resume_point(tmp_path)
    assert point.path == previous_path(last) and point.step == 20
    messages = "\n".join(point.messages())
    assert f"checkpoint {last} is damaged" in messages
    assert f"moved to {last}.damaged" in messages
    assert f"{tmp_path / '.last.ckpt.abc123.partial'} is an unfinished checkpoint" in messages
    assert not last.exists() and (tmp_path / "last.ckpt.damaged").is_file()
    assert not list(tmp_path.glob("*.partial"))


def test_newest_step_wins_and_all_damaged_is_an_error(tmp_path: Path) -> None:
    for step in (3, 9, 6):
        save_checkpoint_file(_checkpoint(step), tmp_path / f"step={step}.ckpt")
    assert find_resume_point(tmp_path).step == 9
    for path in tmp_path.glob("*.ckpt"):
        path.write_bytes(path.read_bytes()[:50])
    with pytest.raises(ConfigError, match=r"no checkpoint in .* can be resumed from: .*--fresh"):
        find_resume_point(tmp_path)
    assert find_resume_point(tmp_path / "missing").path is None


class _WritesMarker:
    """A pickle payload: unpickling it would create the marker file."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_pickle_disguised_as_checkpoint_is_never_unpickled(tmp_path: Path) -> None:
    marker = tmp_path / "executed"
    hostile = tmp_path / "last.ckpt"
    hostile.write_bytes(pickle.dumps({"state_dict": _WritesMarker(marker)}))
    with pytest.raises(ConfigError, match="pickled .ckpt files are not loaded"):
        load_checkpoint_file(hostile)
    with pytest.raises(ConfigError, match=rf"no checkpoint in {tmp_path} can be resumed"):
        find_resume_point(tmp_path)
    torch.save({"state_dict": _WritesMarker(marker)}, hostile)  # the zip flavour too
    with pytest.raises(ConfigError, match="pickled .ckpt files are not loaded"):
        load_checkpoint_file(hostile)
    assert not marker.exists()
    # The payload does work when unpickled, so the check above can fail.
    pickle.loads(pickle.dumps(_WritesMarker(marker)))
    assert marker.exists()
