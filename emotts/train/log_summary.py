"""Summary of a training run's TensorBoard log: losses over steps and the time it took.

A run that was stopped and resumed has one event file per leg. Each leg's time counts from its
first to its last logged step (so the hours between two sessions are not training time), and
where two legs logged the same step (a resume starts from the last checkpoint, not the last
logged step) the later leg wins.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

from emotts.errors import ConfigError

# Shown first in tables and plots when present; any other scalar is listed after them.
MAIN_SCALARS = (
    "train/loss",
    "train/mel",
    "train/duration",
    "train/pitch",
    "train/energy",
    "train/align_forward_sum",
    "val/loss",
    "val/mel",
)
_SKIPPED = ("epoch", "hp_metric", "train/lr")


@dataclass
class Leg:
    """One event file: a training session from start (or resume) to stop."""

    first_step: int
    last_step: int
    seconds: float


@dataclass
class TrainingLog:
    """Merged scalars of every leg: ``series[name]`` is a step-sorted list of (step, value)."""

    legs: list[Leg]
    series: dict[str, list[tuple[int, float]]] = field(default_factory=dict)

    @property
    def last_step(self) -> int:
        return max(leg.last_step for leg in self.legs)

    @property
    def seconds(self) -> float:
        return sum(leg.seconds for leg in self.legs)

    def value_at(self, name: str, step: int, window: int = 5) -> float | None:
        """Mean of the ``window`` logged values at or before ``step`` (train logs are noisy)."""
        points = [v for s, v in self.series.get(name, []) if s <= step]
        if not points:
            return None
        tail = points[-window:]
        return sum(tail) / len(tail)


def _event_files(log_dir: Path) -> list[Path]:
    return sorted(log_dir.rglob("events.out.tfevents.*"), key=lambda p: p.stat().st_mtime)


def read_training_log(run_or_log_dir: str | Path) -> TrainingLog:
    """Read every event file under a run folder (or its ``tensorboard`` folder)."""
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    root = Path(run_or_log_dir)
    if not root.is_dir():
        raise ConfigError(
            f"{root} is not a folder; accepted: a run folder (train.output_dir) or its "
            "tensorboard folder"
        )
    files = _event_files(root)
    if not files:
        raise ConfigError(f"no TensorBoard event files under {root}; has this run trained yet?")

    legs: list[Leg] = []
    merged: dict[str, dict[int, float]] = {}
    for path in files:  # oldest first, so a later leg overwrites repeated steps
        events = EventAccumulator(str(path), size_guidance={"scalars": 0})
        events.Reload()
        names = events.Tags().get("scalars", [])
        if not names:
            continue
        steps, times = [], []
        for name in names:
            if name in _SKIPPED:
                continue
            for point in events.Scalars(name):
                if not math.isfinite(point.value):
                    continue
                steps.append(point.step)
                times.append(point.wall_time)
                merged.setdefault(name, {})[point.step] = point.value
        if steps:
            legs.append(Leg(min(steps), max(steps), max(times) - min(times)))
    if not legs:
        raise ConfigError(f"the event files under {root} hold no scalars")
    ordered = [n for n in MAIN_SCALARS if n in merged] + sorted(set(merged) - set(MAIN_SCALARS))
    series = {name: sorted(merged[name].items()) for name in ordered}
    return TrainingLog(legs, series)


def steps_to_report(
    logged_steps: list[int], fractions=(0.0, 0.1, 0.25, 0.5, 0.75, 1.0)
) -> list[int]:
    """The logged steps nearest to these fractions of the run (first and last included)."""
    if not logged_steps:
        return []
    last = logged_steps[-1]
    chosen = {min(logged_steps, key=lambda s: abs(s - f * last)) for f in fractions}
    return sorted(chosen)


def summary_table(log: TrainingLog, names: list[str] | None = None) -> str:
    """Markdown table: one row per reported step, one column per scalar."""
    names = names or [n for n in MAIN_SCALARS if n in log.series]
    header = "| step | " + " | ".join(names) + " |"
    rule = "|---|" + "---|" * len(names)
    rows = [header, rule]
    logged = [step for step, _ in log.series[names[0]]] if names else []
    for step in steps_to_report(logged):
        cells = []
        for name in names:
            value = log.value_at(name, step, window=1 if name.startswith("val/") else 5)
            cells.append("" if value is None else f"{value:.3f}")
        rows.append(f"| {step:,} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def plot_training_log(log: TrainingLog, out: str | Path, names: list[str] | None = None) -> Path:
    """Loss curves (log y) against step, train and validation, one panel per loss."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = names or [n for n in MAIN_SCALARS if n in log.series and n.startswith("train/")]
    columns = 3
    rows = math.ceil(len(names) / columns)
    fig, axes = plt.subplots(rows, columns, figsize=(4.2 * columns, 3.0 * rows), squeeze=False)
    for ax, name in zip(axes.flat, names, strict=False):
        steps, values = zip(*log.series[name], strict=True)
        ax.plot(steps, values, lw=0.8, label="train")
        twin = "val/" + name.split("/", 1)[1]
        if twin in log.series:
            v_steps, v_values = zip(*log.series[twin], strict=True)
            ax.plot(v_steps, v_values, "o-", ms=3, label="validation")
            ax.legend(fontsize=8)
        ax.set_title(name.split("/", 1)[1])
        ax.set_xlabel("step")
        if min(values) > 0:
            ax.set_yscale("log")
        ax.grid(alpha=0.3)
    for ax in list(axes.flat)[len(names) :]:
        ax.axis("off")
    hours = log.seconds / 3600
    fig.suptitle(f"{log.last_step:,} steps, {hours:.2f} h of training in {len(log.legs)} leg(s)")
    fig.tight_layout()
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out
