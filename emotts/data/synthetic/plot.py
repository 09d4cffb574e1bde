"""The corpus measurement plot: per-label boxplots and ADV trends, one PNG."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from emotts.emotion.labels import LABELS

TITLES = {
    "f0_hz": "F0 level (Hz)",
    "f0_range_st": "F0 range (st)",
    "rate_syl_s": "rate (syl/s)",
    "energy_db": "energy (dBFS)",
}
DIMS = ("arousal", "dominance", "valence")


def plot_measures(labelled: list[dict], continuous: list[dict], path: Path) -> None:
    """Row 1: each measure per label; rows 2-4: each measure against A, D, V (unlabelled part)."""
    import matplotlib

    matplotlib.use("Agg")  # file output only; no display here
    import matplotlib.pyplot as plt

    labels = [lab for lab in LABELS if any(r["label"] == lab for r in labelled)]
    fig, axes = plt.subplots(4, len(TITLES), figsize=(20, 14), constrained_layout=True)
    for col, measure in enumerate(TITLES):
        ax = axes[0, col]
        ax.boxplot([[r[measure] for r in labelled if r["label"] == lab] for lab in labels])
        ax.set_xticks(range(1, len(labels) + 1), [lab[:5] for lab in labels], rotation=45)
        ax.set_title(f"{TITLES[measure]} per label")
        for row, dim in enumerate(DIMS, start=1):
            ax = axes[row, col]
            if not continuous:
                ax.axis("off")
                continue
            x = np.array([r["adv"][row - 1] for r in continuous])
            y = np.array([r[measure] for r in continuous])
            ax.scatter(x, y, s=8, alpha=0.5)
            # Binned means show the trend without assuming it is linear.
            edges = np.linspace(-1.0, 1.0, 6)
            centres = (edges[:-1] + edges[1:]) / 2
            means = [
                y[(x >= lo) & (x < hi)].mean() if np.any((x >= lo) & (x < hi)) else np.nan
                for lo, hi in zip(edges[:-1], edges[1:], strict=True)
            ]
            ax.plot(centres, means, "r-o")
            ax.set_xlabel(dim)
            ax.set_ylabel(TITLES[measure])
    fig.suptitle(
        "Synthetic emotional corpus: per-label measures (top), unlabelled ADV part (below)"
    )
    fig.savefig(path, dpi=80)
    plt.close(fig)
