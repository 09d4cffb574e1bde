"""The guidance sweep of flow-matching voices: judged probability against emotion guidance w.

Items (``emotts eval --guidance-sweep 0,1,2,3``), on the first ``sentences`` grid sentences:

* ``guidance``: every label at each guidance w (intensity 1). Within a sentence every item
  uses the same seed, so the sampling noise is identical and only w differs;
* ``avoid``: per label X, its *partner* Y (the voice's other label whose arousal-dominance-
  valence prototype is nearest to X's, e.g. surprised for happy) asked at w = 1 with X
  avoided (negative guidance weight ``avoid_guidance``), same seed. It is compared with the
  ``guidance`` item of Y at w = 1: negative guidance works when the judged probability of X
  drops. Asking the partner (not X itself, which is a no-op, nor neutral, where X is already
  improbable) puts the avoided label where the judge confuses it most, so a drop is visible.

Summary per label: mean judged probability of the requested label at each w, Spearman rho
between w and that probability (renderings pooled), and whether the means rise strictly with
w (``rises``); per avoided label: its mean probability without and with avoidance and the drop.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from emotts.emotion.labels import LABEL_ADV
from emotts.errors import ConfigError
from emotts.eval.emotion_metrics import spearman
from emotts.eval.grid import GridItem

#: Seeds of the sweep: sentence s samples with noise seed SEED_BASE + s.
SEED_BASE = 1000


def check_weights(weights: Sequence[float]) -> tuple[float, ...]:
    """Sorted distinct guidance weights; at least two, and 1 (the avoid cases' baseline)."""
    values = tuple(sorted({float(w) for w in weights}))
    if len(values) < 2:
        raise ConfigError(
            f"--guidance-sweep needs at least two weights, e.g. 0,1,2,3; got {weights}"
        )
    if 1.0 not in values:
        raise ConfigError(
            f"--guidance-sweep must include 1 (the baseline the avoid cases are compared "
            f"with); got {','.join(f'{w:g}' for w in values)}"
        )
    if any(not np.isfinite(w) or w < 0 for w in values):
        raise ConfigError(f"guidance weights must be finite and >= 0; got {weights}")
    return values


def partner(label: str, labels: Sequence[str]) -> str:
    """The other label whose ADV prototype is nearest to ``label``'s (ties: list order)."""
    others = [k for k in labels if k != label and k in LABEL_ADV]
    if label not in LABEL_ADV or not others:
        raise ConfigError(
            f"no partner label for {label!r} among {list(labels)}: the avoid case needs a "
            f"second label with an ADV prototype ({', '.join(LABEL_ADV)})"
        )
    here = np.array(LABEL_ADV[label])
    return min(others, key=lambda k: float(np.linalg.norm(np.array(LABEL_ADV[k]) - here)))


def build_sweep(
    sentences: Sequence[str],
    labels: Sequence[str],
    weights: Sequence[float],
    avoid_guidance: float = 1.0,
) -> list[GridItem]:
    """The sweep's ``guidance`` and ``avoid`` items (see the module docstring)."""
    weights = check_weights(weights)
    if not np.isfinite(avoid_guidance) or avoid_guidance <= 0:
        raise ConfigError(f"--avoid-guidance must be > 0; got {avoid_guidance}")
    items = []
    for s, text in enumerate(sentences):
        seed = SEED_BASE + s
        for label in labels:
            for w in weights:
                items.append(
                    GridItem(
                        f"g-s{s:02d}-{label}-w{w:g}", "guidance", text, label, guidance=w, seed=seed
                    )
                )
        for label in labels:
            asked = partner(label, labels)
            items.append(
                GridItem(
                    f"g-s{s:02d}-{asked}-avoid-{label}-a{avoid_guidance:g}",
                    "avoid",
                    text,
                    asked,
                    guidance=1.0,
                    avoid=label,
                    avoid_guidance=avoid_guidance,
                    seed=seed,
                )
            )
    return items


def rises(values: Sequence[float]) -> bool:
    """Strictly increasing (every step up)."""
    return bool(len(values) >= 2 and np.all(np.diff(np.asarray(values, dtype=float)) > 0))


def sweep_summary(records: list[dict[str, Any]]) -> dict[str, Any]:
    """Per-label guidance curves and per-avoided-label drops (see the module docstring)."""
    sweep = [r for r in records if r.get("kind") == "guidance" and "judged_probabilities" in r]
    if not sweep:
        return {}
    weights = sorted({float(r["guidance"]) for r in sweep})
    by_label: dict[str, Any] = {}
    for label in sorted({r["label"] for r in sweep}):
        rows = [r for r in sweep if r["label"] == label]
        means = [
            float(np.mean([r["judged_probabilities"][label] for r in rows if r["guidance"] == w]))
            for w in weights
        ]
        by_label[label] = {
            "mean_probability": {f"{w:g}": m for w, m in zip(weights, means, strict=True)},
            "spearman": spearman(
                [r["guidance"] for r in rows], [r["judged_probabilities"][label] for r in rows]
            ),
            "rises": rises(means),
            "n": len(rows),
        }
    baseline = {(r["text"], r["label"]): r for r in sweep if r["guidance"] == 1.0}
    avoided: dict[str, Any] = {}
    for label in sorted({r["avoid"] for r in records if r.get("kind") == "avoid"}):
        pairs = [
            (baseline[(r["text"], r["label"])], r)
            for r in records
            if r.get("kind") == "avoid"
            and r["avoid"] == label
            and "judged_probabilities" in r
            and (r["text"], r["label"]) in baseline
        ]
        if not pairs:
            continue
        before = float(np.mean([b["judged_probabilities"][label] for b, _ in pairs]))
        after = float(np.mean([a["judged_probabilities"][label] for _, a in pairs]))
        asked = pairs[0][1]["label"]
        avoided[label] = {
            "asked": asked,
            "avoid_guidance": pairs[0][1]["avoid_guidance"],
            "probability_without": before,
            "probability_with": after,
            "drop": before - after,
            "lowered": after < before,
            "lowered_share": float(
                np.mean(
                    [
                        a["judged_probabilities"][label] < b["judged_probabilities"][label]
                        for b, a in pairs
                    ]
                )
            ),
            "asked_probability_without": float(
                np.mean([b["judged_probabilities"][asked] for b, _ in pairs])
            ),
            "asked_probability_with": float(
                np.mean([a["judged_probabilities"][asked] for _, a in pairs])
            ),
            "n": len(pairs),
        }
    by_weight = {}
    for w in weights:
        rows = [r for r in sweep if r["guidance"] == w]
        by_weight[f"{w:g}"] = {
            "wer": sum(r["word_errors"] for r in rows) / max(sum(r["words"] for r in rows), 1),
            "dnsmos_ovrl": float(np.mean([r["dnsmos"]["ovrl"] for r in rows])),
            "n": len(rows),
        }
    return {
        "weights": weights,
        "by_weight": by_weight,
        "by_label": by_label,
        "labels_rising": sum(v["rises"] for v in by_label.values()),
        "labels": len(by_label),
        "avoid": avoided,
        "avoid_lowered": sum(v["lowered"] for v in avoided.values()),
    }


def plot_sweep(summary: dict[str, Any], out: Path) -> str | None:
    """``guidance_sweep.png``: judged probability against w per label, and the avoid drops."""
    if not summary.get("by_label"):
        return None
    import matplotlib

    matplotlib.use("Agg")  # files only; never needs a display
    import matplotlib.pyplot as plt

    weights = summary["weights"]
    avoided = summary.get("avoid", {})
    fig, axes = plt.subplots(
        1, 2 if avoided else 1, figsize=(11 if avoided else 6, 4), squeeze=False
    )
    ax = axes[0][0]
    for label, row in summary["by_label"].items():
        values = [row["mean_probability"][f"{w:g}"] for w in weights]
        ax.plot(weights, values, marker="o", label=label)
    ax.set_xlabel("emotion guidance w")
    ax.set_ylabel("judged probability of the requested label")
    ax.set_ylim(0, 1)
    ax.set_xticks(weights)
    ax.legend(fontsize="small")
    ax.set_title(f"guidance sweep: {summary['labels_rising']}/{summary['labels']} labels rise")
    if avoided:
        ax = axes[0][1]
        names = list(avoided)
        x = np.arange(len(names))
        ax.bar(x - 0.2, [avoided[k]["probability_without"] for k in names], 0.4, label="w = 1")
        ax.bar(x + 0.2, [avoided[k]["probability_with"] for k in names], 0.4, label="avoiding it")
        ax.set_xticks(
            x,
            [f"{k}\n(ask {avoided[k]['asked']})" for k in names],
            fontsize="small",
            rotation=35,
            ha="right",
        )
        ax.set_ylabel("judged probability of the avoided label")
        ax.set_ylim(0, 1)
        ax.legend(fontsize="small")
        ax.set_title(f"negative guidance: {summary['avoid_lowered']}/{len(names)} lowered")
    fig.tight_layout()
    fig.savefig(out / "guidance_sweep.png", dpi=120)
    plt.close(fig)
    return "guidance_sweep.png"
