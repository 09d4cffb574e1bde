"""The pickle-free CheckpointIO: exact round trip, and a resumed run equals an uninterrupted one."""

from __future__ import annotations

from pathlib import Path

import lightning as L
import pytest
import torch
from lightning.pytorch.plugins.io import TorchCheckpointIO
from torch.utils.data import DataLoader, TensorDataset

from emotts.errors import ConfigError
from emotts.train.checkpoint_io import (
    SafetensorsCheckpointIO,
    load_checkpoint_file,
    save_checkpoint_file,
)

torch.set_num_threads(2)


def test_round_trip_keeps_types_keys_and_values(tmp_path: Path) -> None:
    shared = torch.arange(6.0)
    checkpoint = {
        "state_dict": {"a.weight": shared.view(2, 3), "a.bias": shared[:2], "n": torch.tensor(3)},
        "optimizer_states": [
            {
                "state": {0: {"step": torch.tensor(2.0), "exp_avg": torch.ones(2)}},
                "param_groups": [
                    {"betas": (0.9, 0.999), "lr": 1e-3, "params": [0], "foreach": None}
                ],
            }
        ],
        "flags": [True, False, None, float("inf")],
        "$weird": "dollar keys survive",
        "global_step": 7,
    }
    path = tmp_path / "x.ckpt"
    save_checkpoint_file(checkpoint, path)
    loaded = load_checkpoint_file(path)
    assert torch.equal(loaded["state_dict"]["a.weight"], shared.view(2, 3))
    assert torch.equal(loaded["state_dict"]["a.bias"], shared[:2])
    state = loaded["optimizer_states"][0]
    assert list(state["state"]) == [0] and torch.equal(state["state"][0]["exp_avg"], torch.ones(2))
    assert state["param_groups"][0]["betas"] == (0.9, 0.999)
    assert loaded["flags"] == [True, False, None, float("inf")]
    assert loaded["$weird"] == "dollar keys survive" and loaded["global_step"] == 7


def test_refuses_unstorable_objects_and_pickles(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match=r"checkpoint\.bad is a object"):
        save_checkpoint_file({"bad": object()}, tmp_path / "x.ckpt")
    pickled = tmp_path / "pickled.ckpt"
    torch.save({"a": 1}, pickled)
    with pytest.raises(ConfigError, match="pickled .ckpt files are not loaded"):
        load_checkpoint_file(pickled)


class _Regression(L.LightningModule):
    def __init__(self) -> None:
        super().__init__()
        self.layer = torch.nn.Linear(4, 1)

    def training_step(self, batch, batch_idx):
        x, y = batch
        return torch.nn.functional.mse_loss(self.layer(x), y)

    def configure_optimizers(self):
        optimizer = torch.optim.AdamW(self.parameters(), lr=0.05)
        schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: 1.0 / (1 + step))
        return {"optimizer": optimizer, "lr_scheduler": {"scheduler": schedule, "interval": "step"}}


def _fit(root: Path, max_steps: int, io, ckpt_path: Path | None = None) -> _Regression:
    torch.manual_seed(0)
    data = TensorDataset(torch.randn(16, 4), torch.randn(16, 1))
    module = _Regression()
    trainer = L.Trainer(
        max_steps=max_steps,
        logger=False,
        enable_progress_bar=False,
        enable_model_summary=False,
        default_root_dir=root,
        plugins=[io],
        callbacks=[L.pytorch.callbacks.ModelCheckpoint(dirpath=root, save_last=True)],
    )
    trainer.fit(module, DataLoader(data, batch_size=4, shuffle=False), ckpt_path=ckpt_path)
    return module


def _assert_same(a, b) -> None:
    assert type(a) is type(b) or (isinstance(a, dict) and isinstance(b, dict))
    if isinstance(a, torch.Tensor):
        assert a.dtype == b.dtype and torch.equal(a, b)
    elif isinstance(a, dict):
        assert list(a) == list(b)
        for key in a:
            _assert_same(a[key], b[key])
    elif isinstance(a, list | tuple):
        assert len(a) == len(b)
        for x, y in zip(a, b, strict=True):
            _assert_same(x, y)
    else:
        assert a == b


def test_lightning_checkpoint_round_trips_exactly(tmp_path: Path) -> None:
    _fit(tmp_path, max_steps=6, io=TorchCheckpointIO())
    reference = torch.load(tmp_path / "last.ckpt", weights_only=True)
    save_checkpoint_file(reference, tmp_path / "copy.ckpt")
    _assert_same(reference, load_checkpoint_file(tmp_path / "copy.ckpt"))


def test_resume_matches_resuming_from_a_pickled_checkpoint(tmp_path: Path) -> None:
    results = []
    for name, io in (("pickle", TorchCheckpointIO()), ("safetensors", SafetensorsCheckpointIO())):
        root = tmp_path / name
        _fit(root, max_steps=6, io=io)
        assert (root / "last.ckpt").is_file()
        results.append(_fit(root, max_steps=12, io=io, ckpt_path=root / "last.ckpt"))
    assert load_checkpoint_file(tmp_path / "safetensors" / "last.ckpt")["global_step"] == 12
    for a, b in zip(results[0].parameters(), results[1].parameters(), strict=True):
        assert torch.equal(a, b)
