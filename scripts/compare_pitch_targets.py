"""Compare model.pitch_target phoneme vs frame: same data, same steps, held-out figures.

Trains one voice per pitch target from the same manifest (same preset, seed, steps and feature
cache), then measures each on the manifest's ``val`` utterances. The timing is the
recording's (durations from each model's aligner on the recorded mel), so the contours line
up frame by frame with the recording; everything else is predicted (no pitch teacher forcing):

- F0 RMSE in cents and Pearson correlation of the predicted log-F0 contour against the
  recording's, over the recording's voiced frames (a phoneme voice's contour is its phoneme
  pitch held over each phoneme's frames: that is what its decoder is given);
- declination and final-rise slope error: |slope(predicted) - slope(recorded)| in cents/s of
  a line fitted over the voiced frames of the whole utterance / of its last quarter;
- mel L1 of the decoded mel against the recorded one (real frames).

    python scripts/compare_pitch_targets.py --manifest data/x/manifest.jsonl --steps 1500
    python scripts/compare_pitch_targets.py --manifest ... --smoke   # a few steps, a check
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

import numpy as np
import torch

from emotts.audio.config import AudioConfig
from emotts.data.collate import collate
from emotts.data.dataset import CachedDataset
from emotts.errors import ConfigError
from emotts.models.acoustic_model import AcousticModel
from emotts.models.config import PITCH_TARGETS
from emotts.models.layers import lengths_to_mask
from emotts.models.pitch_contour import frame_pitch_target, frame_positions, to_frames

RECIPE = """\
data: {{manifest: {manifest}, cache_dir: {cache}, language: en-us}}
model: {{preset: {preset}, pitch_target: {target}}}
train: {{output_dir: {output}, batch_size: {batch}, max_steps: {steps}, learning_rate: {lr},
        warmup_steps: {warmup}, val_every_n_steps: 100000, checkpoint_every_n_steps: 100000,
        log_audio_every_n_steps: 0, log_every_n_steps: 10, num_workers: 0, seed: {seed}}}
"""
COLUMNS = ("f0_rmse_cents", "f0_corr", "declination_err", "final_slope_err", "mel_l1")
_FINAL_PART = 0.25  # the final rise/fall: the last quarter of the utterance's frames


def train_variant(target: str, args: argparse.Namespace) -> Path:
    """Train one pitch target's voice under ``args.out / target``; its voice directory."""
    from emotts.train.config import load_config
    from emotts.train.run import train

    out = args.out / target
    out.mkdir(parents=True, exist_ok=True)
    recipe = out / "recipe.yaml"
    recipe.write_text(
        RECIPE.format(
            manifest=Path(args.manifest).resolve(),
            cache=(args.out / "cache").resolve(),
            preset=args.preset,
            target=target,
            output=(out / "run").resolve(),
            batch=args.batch_size,
            steps=args.steps,
            lr=args.learning_rate,
            warmup=min(100, max(args.steps // 10, 1)),
            seed=args.seed,
        ),
        encoding="utf-8",
    )
    torch.manual_seed(args.seed)
    train(load_config(recipe), progress=False)
    return out / "run" / "voice"


@torch.no_grad()
def recorded_timing_outputs(
    model: AcousticModel, batch: dict[str, torch.Tensor]
) -> tuple[torch.Tensor, torch.Tensor]:
    """Predicted contour [B, T_fr] (normalized log-F0) and decoded mel [B, 80, T_fr] of a batch,
    timed by the model's aligner on the recorded mel (B utterances, T_fr recorded frames)."""
    aligned = model.align(batch, prefer_adv=torch.zeros_like(batch["has_label"]))
    condition, hidden, durations = aligned.condition, aligned.hidden, aligned.durations
    text_mask, mel_mask = aligned.text_mask, aligned.mel_mask
    alignment = aligned.alignment.to(batch["mel"].dtype)
    _, pitch, energy = model.variance_adaptor.predict(hidden, text_mask, condition)
    hidden = model.variance_adaptor.embed(hidden, pitch, energy)
    frames = alignment.transpose(1, 2) @ hidden
    frame_condition = alignment.transpose(1, 2) @ condition
    if model.frame_pitch is None:
        contour = to_frames(pitch, alignment)
    else:
        positions = frame_positions(durations, alignment)
        contour = model.frame_pitch.predict(frames, mel_mask, frame_condition, positions)
        frames = model.frame_pitch.embed(frames, contour)
    return contour, model.decoder.generate(frames, mel_mask, frame_condition)


def _slope(values: np.ndarray, seconds: np.ndarray) -> float | None:
    """Least-squares slope per second, None with fewer than 3 points."""
    if values.size < 3:
        return None
    return float(np.polyfit(seconds, values, 1)[0])


def utterance_figures(
    predicted: np.ndarray,
    recorded: np.ndarray,
    voiced: np.ndarray,
    cents_per_unit: float,
    frame_seconds: float,
) -> dict[str, float]:
    """The comparison's figures for one utterance (1-D arrays over its real frames)."""
    p, r = predicted[voiced] * cents_per_unit, recorded[voiced] * cents_per_unit
    seconds = np.flatnonzero(voiced) * frame_seconds
    figures = {"f0_rmse_cents": float(np.sqrt(np.mean((p - r) ** 2))) if p.size else math.nan}
    figures["f0_corr"] = (
        float(np.corrcoef(p, r)[0, 1]) if p.size >= 3 and p.std() > 0 and r.std() > 0 else math.nan
    )
    whole_p, whole_r = _slope(p, seconds), _slope(r, seconds)
    figures["declination_err"] = (
        abs(whole_p - whole_r) if whole_p is not None and whole_r is not None else math.nan
    )
    final = seconds >= (1.0 - _FINAL_PART) * len(voiced) * frame_seconds
    end_p, end_r = _slope(p[final], seconds[final]), _slope(r[final], seconds[final])
    figures["final_slope_err"] = (
        abs(end_p - end_r) if end_p is not None and end_r is not None else math.nan
    )
    return figures


def evaluate(voice_dir: Path, cache_dir: Path) -> dict[str, float]:
    """Mean figures of a trained voice over the cache's ``val`` utterances."""
    from emotts.models.checkpoint import load_acoustic_model

    model, _ = load_acoustic_model(voice_dir)
    model = model.eval()
    c = model.config
    held_out = CachedDataset(cache_dir, "val", list(c.labels), list(c.speakers))
    if len(held_out) == 0:
        raise ConfigError(f"{cache_dir}: the manifest has no 'val' utterances to measure on")
    audio = AudioConfig()
    frame_seconds = audio.hop_length / audio.sample_rate
    cents_per_unit = c.pitch_std * 1200.0 / math.log(2.0)
    rows: list[dict[str, float]] = []
    for start in range(0, len(held_out), 8):
        batch = collate([held_out[i] for i in range(start, min(start + 8, len(held_out)))])
        contour, mel = recorded_timing_outputs(model, batch)
        mel_mask = lengths_to_mask(batch["mel_lengths"], batch["mel"].shape[2])
        target, voiced = frame_pitch_target(batch["f0"], mel_mask, c.pitch_mean, c.pitch_std)
        for row in range(contour.shape[0]):
            n = int(batch["mel_lengths"][row])
            figures = utterance_figures(
                contour[row, :n].numpy(),
                target[row, :n].numpy(),
                voiced[row, :n].numpy(),
                cents_per_unit,
                frame_seconds,
            )
            figures["mel_l1"] = float((mel[row, :, :n] - batch["mel"][row, :, :n]).abs().mean())
            rows.append(figures)
    return {name: float(np.nanmean([r[name] for r in rows])) for name in COLUMNS} | {
        "utterances": len(rows)
    }


def table(results: dict[str, dict[str, float]]) -> str:
    """A Markdown table: one row per pitch target."""
    header = "| pitch_target | " + " | ".join(COLUMNS) + " | held-out |"
    lines = [header, "|" + "---|" * (len(COLUMNS) + 2)]
    for target, figures in results.items():
        values = " | ".join(f"{figures[name]:.3f}" for name in COLUMNS)
        lines.append(f"| {target} | {values} | {figures['utterances']} |")
    return "\n".join(lines)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--manifest", required=True, help="manifest.jsonl with a val split")
    parser.add_argument("--out", type=Path, default=Path("runs/compare_pitch"))
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--preset", default="tiny")
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--learning-rate", type=float, default=0.005)
    parser.add_argument("--seed", type=int, default=1234)
    parser.add_argument("--smoke", action="store_true", help="10 steps: checks the plumbing")
    args = parser.parse_args(argv)
    if args.smoke:
        args.steps = 10
    if args.steps < 1:
        parser.error(f"--steps must be a positive number of steps; got {args.steps}")
    return args


def main(argv: list[str] | None = None) -> dict[str, dict[str, float]]:
    args = parse_args(argv)
    results = {}
    for target in PITCH_TARGETS:
        voice = train_variant(target, args)
        results[target] = evaluate(voice, args.out / "cache")
    print(f"steps={args.steps} preset={args.preset} manifest={args.manifest}")
    print(table(results))
    (args.out / "results.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    return results


if __name__ == "__main__":
    main(sys.argv[1:])
