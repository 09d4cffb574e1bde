"""Crash-safe training: real tiny runs in a subprocess, killed with SIGKILL during and between
checkpoint writes, then resumed.

One sequence of three processes (each a real `emotts train` on the tiny corpus):
1. killed in the middle of writing the step-8 checkpoint (the writer pauses halfway through its
   temporary file when EMOTTS_TEST_PAUSE_CHECKPOINT_AT_STEP is set, so the kill lands there);
2. resumed: names the unfinished write, resumes from step 4, trains on and is killed between
   checkpoint writes;
3. after last.ckpt is truncated (a torn file, as a disk fault or a half copy leaves it), resumed
   again: names the damaged file, resumes from the previous good checkpoint and reaches the
   target step with the optimizer's own step count equal to the global step.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from emotts.train.checkpoint_io import (
    PAUSE_ENV,
    load_checkpoint_file,
    previous_path,
    read_checkpoint_step,
)

EVERY = 4
RECIPE = """\
data: {{manifest: {manifest}, cache_dir: cache, language: en-us,
       labels: [neutral, happy], speakers: [espeak]}}
model: {{preset: tiny}}
train: {{output_dir: run, batch_size: 4, max_steps: 400, learning_rate: 0.005, warmup_steps: 2,
        val_every_n_steps: 1000, checkpoint_every_n_steps: {every}, log_every_n_steps: 1,
        log_audio_every_n_steps: 0, num_workers: 0}}
"""


class Run:
    """`emotts train` in a subprocess, its output in files (a pipe could fill and block it)."""

    def __init__(self, config: Path, name: str, *extra: str, env: dict | None = None) -> None:
        self.out = config.parent / f"{name}.out"
        self.err = config.parent / f"{name}.err"
        command = [sys.executable, "-m", "emotts", "train", "--config", str(config), "--quiet"]
        environment = {k: v for k, v in os.environ.items() if k != PAUSE_ENV}
        # The checkout's emotts, also when it is not installed.
        root = str(Path(__file__).resolve().parents[1])
        path = os.pathsep.join(p for p in (root, environment.get("PYTHONPATH")) if p)
        environment.update({"OMP_NUM_THREADS": "1", "PYTHONPATH": path, **(env or {})})
        with self.out.open("w") as out, self.err.open("w") as err:
            self.process = subprocess.Popen(
                [*command, *extra], stdout=out, stderr=err, env=environment
            )

    def wait_for(self, condition, what: str, timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if self.process.poll() is not None:
                pytest.fail(f"training exited ({self.process.returncode}) before {what}:\n{self}")
            if time.monotonic() > deadline:
                self.kill()
                pytest.fail(f"no {what} after {timeout:.0f} s:\n{self}")
            time.sleep(0.05)

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def finish(self, timeout: float = 180.0) -> int:
        return self.process.wait(timeout=timeout)

    def __str__(self) -> str:
        return f"stdout:\n{self.out.read_text()}\nstderr:\n{self.err.read_text()[-3000:]}"


def _step(path: Path) -> int:
    try:
        return read_checkpoint_step(path) or 0
    except Exception:  # noqa: BLE001 - not there yet
        return 0


def test_sigkill_during_and_between_checkpoint_writes(tiny_corpus: Path, tmp_path: Path) -> None:
    config = tmp_path / "recipe.yaml"
    config.write_text(RECIPE.format(manifest=tiny_corpus, every=EVERY), encoding="utf-8")
    checkpoints = tmp_path / "run" / "checkpoints"
    last = checkpoints / "last.ckpt"

    # 1. Killed while writing the step-8 checkpoint: half of its temporary file is on disk.
    first = Run(config, "first", env={PAUSE_ENV: str(2 * EVERY)})
    first.wait_for(lambda: "paused writing checkpoint" in first.err.read_text(), "paused write")
    first.kill()
    (partial,) = checkpoints.glob(".last.ckpt.*.partial")
    assert partial.stat().st_size > 0
    assert (
        read_checkpoint_step(last) == EVERY and load_checkpoint_file(last)["global_step"] == EVERY
    )

    # 2. Resumed from step 4 (the unfinished write is named and removed); killed between writes.
    second = Run(config, "second")
    second.wait_for(lambda: _step(last) >= 3 * EVERY, f"checkpoint at step {3 * EVERY}")
    second.kill()
    assert f"{partial} is an unfinished checkpoint write" in second.err.read_text()
    assert f"resuming from {last} (step {EVERY})" in second.out.read_text()
    assert not list(checkpoints.glob("*.partial"))
    reached = load_checkpoint_file(last)["global_step"]
    assert reached >= 3 * EVERY and reached % EVERY == 0
    assert load_checkpoint_file(previous_path(last))["global_step"] == reached - EVERY

    # 3. last.ckpt torn after the fact: detected, named, and the previous checkpoint used.
    data = last.read_bytes()
    last.write_bytes(data[: len(data) * 2 // 3])
    target = reached + EVERY
    third = Run(config, "third", "--max-steps", str(target))
    assert third.finish() == 0, str(third)
    err, out = third.err.read_text(), third.out.read_text()
    assert f"checkpoint {last} is damaged" in err and f"moved to {last}.damaged" in err, err
    assert f"resuming from {previous_path(last)} (step {reached - EVERY})" in out, out
    final = load_checkpoint_file(last)
    assert final["global_step"] == target
    # AdamW counts its own steps: resumed state carried over exactly, no step lost or repeated.
    (state,) = {float(s["step"]) for s in final["optimizer_states"][0]["state"].values()}
    assert state == target
