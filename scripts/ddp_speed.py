"""Training steps per second with 1 and with 2 CPU processes (DDP over gloo), same global batch.

    python scripts/ddp_speed.py --manifest data/rhvoice_cast/manifest.jsonl --utterances 96 \
        --preset small --batch 16 --steps 30 --work /tmp/ddp_speed

Takes the first ``--utterances`` train rows of a manifest (absolute audio paths, so the corpus
folder is only read), trains ``--steps`` steps once with ``devices: 1`` and batch B, and once
with ``devices: 2, strategy: ddp`` and batch B/2 per process, each in its own interpreter
(``emotts train``). Steps per second are taken from the TensorBoard event times between the
``--skip``-th and the last step, so interpreter start, cache building and the first steps'
warm-up are not counted. Each process uses ``--threads`` threads (default 1: 2 processes on 2
cores). Prints one line per run and the speed-up.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

RECIPE = """\
data: {{manifest: {manifest}, cache_dir: {cache}, language: en-us,
       labels: [neutral, happy, angry, sad, surprised, fearful, disgusted],
       speakers: {speakers}}}
model: {{preset: {preset}}}
train: {{output_dir: {output}, batch_size: {batch}, max_steps: {steps}, learning_rate: 0.001,
        warmup_steps: 10, val_every_n_steps: 100000, checkpoint_every_n_steps: 100000,
        log_every_n_steps: 1, log_audio_every_n_steps: 0, num_workers: 0, accelerator: cpu,
        devices: {devices}, strategy: {strategy}}}
"""


def subset(manifest: Path, count: int, out: Path) -> list[str]:
    """Write the first ``count`` train rows with absolute audio paths; their speakers."""
    rows = []
    for line in manifest.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row.get("split") != "train":
            continue
        row["audio"] = str((manifest.parent / row["audio"]).resolve())
        rows.append(row)
        if len(rows) == count:
            break
    out.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return sorted({r["speaker"] for r in rows})


def step_times(run: Path) -> list[tuple[int, float]]:
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    events = EventAccumulator(str(run / "tensorboard"), size_guidance={"scalars": 0})
    events.Reload()
    return sorted((e.step, e.wall_time) for e in events.Scalars("train/loss"))


def run_once(args, work: Path, manifest: Path, speakers: list[str], devices: int) -> float:
    name = f"devices{devices}"
    recipe = work / f"{name}.yaml"
    recipe.write_text(
        RECIPE.format(
            manifest=manifest,
            cache=work / "cache",
            speakers=json.dumps(speakers),
            preset=args.preset,
            output=work / name,
            batch=args.batch // devices,
            steps=args.steps,
            devices=devices,
            strategy="ddp" if devices > 1 else "auto",
        ),
        encoding="utf-8",
    )
    env = {**os.environ, "OMP_NUM_THREADS": str(args.threads)}
    started = time.monotonic()
    command = [sys.executable, "-m", "emotts", "train", "--config", str(recipe), "--quiet"]
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    if done.returncode != 0:
        sys.exit(f"{name} failed:\n{done.stderr[-3000:]}")
    times = step_times(work / name)
    (first_step, first), (last_step, last) = times[args.skip], times[-1]
    rate = (last_step - first_step) / (last - first)
    print(
        f"{devices} process(es), batch {args.batch // devices} each (global {args.batch}): "
        f"{rate:.3f} steps/s, {1 / rate:.2f} s/step over steps {first_step}-{last_step} "
        f"({time.monotonic() - started:.0f} s wall in all)"
    )
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--manifest", type=Path, required=True)
    parser.add_argument("--utterances", type=int, default=96)
    parser.add_argument("--preset", default="small")
    parser.add_argument("--batch", type=int, default=16, help="global batch (even)")
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--skip", type=int, default=5, help="first steps not timed")
    parser.add_argument("--threads", type=int, default=1, help="threads per process")
    parser.add_argument("--work", type=Path, default=Path("/tmp/ddp_speed"))
    args = parser.parse_args()
    if args.batch % 2:
        parser.error(f"--batch must be even to split over 2 processes, got {args.batch}")
    if not args.skip < args.steps - 1:
        parser.error(f"--skip ({args.skip}) must leave at least two timed steps of {args.steps}")
    args.work.mkdir(parents=True, exist_ok=True)
    manifest = args.work / "manifest.jsonl"
    speakers = subset(args.manifest, args.utterances, manifest)
    print(f"{args.utterances} utterances of {args.manifest} (speakers {', '.join(speakers)})")
    one = run_once(args, args.work, manifest, speakers, 1)
    two = run_once(args, args.work, manifest, speakers, 2)
    print(
        f"speed-up with 2 processes: {two / one:.2f}x (load average now {os.getloadavg()[0]:.1f})"
    )


if __name__ == "__main__":
    main()
