"""`emotts train --init-from VOICE` really starts from the voice's weights.

A regression guard: the command line passes a fresh `ResumePoint` (no checkpoint found), and a
check of ``resume is None`` instead of "no checkpoint to resume from" once skipped the
initialization silently, so the run started from random weights (train mel L1 3.9 at step 49
on the cast corpus instead of 0.8). Here a second run at a learning rate too small to move any
weight must end with the first run's weights.
"""

from __future__ import annotations

from pathlib import Path

import torch

from emotts.backends.torch_voice import Voice
from emotts.cli import main

RECIPE = """\
data: {{manifest: {manifest}, cache_dir: {cache}, language: en-us,
       labels: [neutral, happy], speakers: [espeak]}}
model: {{preset: tiny}}
train: {{output_dir: {output}, batch_size: 4, max_steps: {steps}, learning_rate: {lr},
        warmup_steps: 1, val_every_n_steps: 1000, checkpoint_every_n_steps: 1000,
        log_every_n_steps: 1, log_audio_every_n_steps: 0, num_workers: 0}}
"""


def _recipe(tmp_path: Path, manifest: Path, name: str, steps: int, lr: float | str) -> Path:
    path = tmp_path / f"{name}.yaml"
    text = RECIPE.format(
        manifest=manifest, cache=tmp_path / "cache", output=tmp_path / name, steps=steps, lr=lr
    )
    path.write_text(text, encoding="utf-8")
    return path


def test_init_from_on_the_command_line_loads_the_voice_weights(tiny_corpus: Path, tmp_path: Path):
    base = _recipe(tmp_path, tiny_corpus, "base", 3, 0.005)
    assert main(["train", "--config", str(base), "--quiet"]) == 0
    # The second run has its own seed stream, so without the initialization its weights
    # would be a different random draw, far from the base voice's.
    cont = _recipe(tmp_path, tiny_corpus, "continued", 1, "1.0e-12")
    voice = str(tmp_path / "base" / "voice")
    assert main(["train", "--config", str(cont), "--init-from", voice, "--quiet"]) == 0
    first = Voice.load(tmp_path / "base" / "voice").model.state_dict()
    second = Voice.load(tmp_path / "continued" / "voice").model.state_dict()
    for name, tensor in first.items():
        if tensor.is_floating_point():
            assert torch.allclose(second[name], tensor, atol=1e-5), name
