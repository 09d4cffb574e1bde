"""The calibration figure: judged probability against intensity per label, and the maps."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def plot_calibration(report: dict[str, Any], path: Path) -> Path:
    """Four panels: the fit grid (isotonic curves and the shared target), held-out before
    (raw) and after (calibrated) mean judged probability of the requested label, the maps."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    calibration = report["calibration"]
    knots = calibration["knots"]
    fit = calibration["fit"]
    labels = list(calibration["labels"])
    colours = dict(zip(labels, plt.get_cmap("tab10").colors, strict=False))
    figure, axes = plt.subplots(1, 4, figsize=(18, 4.2))
    fit_axis, before_axis, after_axis, map_axis = axes
    for label in labels:
        fit_axis.plot(knots, fit["raw_probability"][label], "o-", color=colours[label], label=label)
    fit_axis.plot(knots, fit["target_probability"], "k--", linewidth=2, label="target")
    fit_axis.set(title="fit sentences, raw (isotonic)", xlabel="model intensity")
    for axis, name, title in (
        (before_axis, "before", "held-out, raw"),
        (after_axis, "after", "held-out, calibrated"),
    ):
        means = report[name]["mean_probability"]
        levels = [float(level) for level in means]
        for label in labels:
            values = [means[level].get(label) for level in means]
            axis.plot(levels, values, "o-", color=colours[label], label=label)
        spread = report[name]["spread"]
        rho = report[name]["mean_spearman"]
        summary = ", ".join(f"sd@{k}={v:.2f}" for k, v in spread.items() if float(k) > 0)
        axis.set(title=f"{title}\n{summary}; mean rho={rho:.2f}" if rho is not None else title)
        axis.set(xlabel="requested intensity")
    for axis in axes[:3]:
        axis.set(ylim=(-0.02, 1.02), ylabel="judged probability of the label")
        axis.grid(alpha=0.3)
    for label in labels:
        map_axis.plot(knots, calibration["labels"][label], "o-", color=colours[label], label=label)
    map_axis.plot([0, 2], [0, 2], "k:", label="identity (raw)")
    map_axis.set(title="maps", xlabel="requested intensity", ylabel="model intensity")
    map_axis.grid(alpha=0.3)
    map_axis.legend(fontsize=8)
    fit_axis.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path
