"""`emotts train` end to end on the tiny corpus: the loss falls, resume works, a voice appears."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from emotts.cli import main
from emotts.train.checkpoint_io import load_checkpoint_file

torch.set_num_threads(2)

RECIPE = """\
data: {{manifest: {manifest}, cache_dir: cache, language: en-us,
       labels: [neutral, happy], speakers: [espeak]}}
model: {{preset: tiny}}
train: {{output_dir: run, batch_size: 8, max_steps: 100, learning_rate: 0.005, warmup_steps: 5,
        val_every_n_steps: 20, checkpoint_every_n_steps: 20, log_every_n_steps: 1,
        log_audio_every_n_steps: 40, num_workers: 0}}
"""


def _scalars(log_dir: Path, tag: str) -> list[tuple[int, float]]:
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    events = EventAccumulator(str(log_dir), size_guidance={"scalars": 0})
    events.Reload()
    return [(e.step, e.value) for e in events.Scalars(tag)]


def test_bad_config_exits_with_code_2(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    config = tmp_path / "recipe.yaml"
    config.write_text("data: {manifest: m.jsonl, cache_dir: c}\ntrain: {output_dir: r, lr: 1}\n")
    assert main(["train", "--config", str(config)]) == 2
    assert "unknown config key 'train.lr'" in capsys.readouterr().err


@pytest.mark.slow
def test_train_resume_and_voice(
    tiny_corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    config = tmp_path / "recipe.yaml"
    config.write_text(RECIPE.format(manifest=tiny_corpus), encoding="utf-8")
    run = tmp_path / "run"

    assert main(["train", "--config", str(config), "--max-steps", "40", "--quiet"]) == 0
    assert load_checkpoint_file(run / "checkpoints" / "last.ckpt")["global_step"] == 40
    assert (run / "voice" / "model.safetensors").is_file()
    assert (run / "voice" / "config.json").is_file()
    capsys.readouterr()

    assert main(["train", "--config", str(config), "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "resuming from" in out and "0 built, 10 already cached" in out
    assert load_checkpoint_file(run / "checkpoints" / "last.ckpt")["global_step"] == 100

    losses = _scalars(run / "tensorboard", "train/loss")
    steps = [step for step, _ in losses]
    assert steps == sorted(set(steps)) and steps[-1] == 99  # one continuous curve across resume
    first, last = losses[0][1], sum(v for _, v in losses[-5:]) / 5
    assert last <= 0.5 * first, f"loss fell only from {first:.3f} to {last:.3f}"
    assert _scalars(run / "tensorboard", "val/loss")

    from emotts.models.checkpoint import load_acoustic_model

    model, voice = load_acoustic_model(run / "voice")
    assert voice["extra"]["step"] == 100 and model.config.labels == ["neutral", "happy"]

    # --fresh moves the old checkpoints aside and starts at step 0; 7 steps is not a multiple
    # of the checkpoint interval, so last.ckpt comes from the end-of-training save.
    assert main(["train", "--config", str(config), "--fresh", "--max-steps", "7", "--quiet"]) == 0
    assert load_checkpoint_file(run / "checkpoints" / "last.ckpt")["global_step"] == 7
    (moved,) = run.glob("checkpoints.before-*")
    assert load_checkpoint_file(moved / "last.ckpt")["global_step"] == 100
