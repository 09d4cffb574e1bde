"""Writing ``report.json``, ``report.md`` and PNG plots for an evaluation or ceiling run."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from emotts.eval.judge import ADV_KEYS
from emotts.eval.speaker_bars import plot_speaker_table, table_markdown
from emotts.eval.summary import intensity_level

SPEAKER_PLOT = "speaker_bars.png"


def _flatten(data: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """Nested dicts as dotted keys; lists (confusion matrices) are left to the plots."""
    if isinstance(data, dict):
        rows = []
        for key, value in data.items():
            rows += _flatten(value, f"{prefix}.{key}" if prefix else str(key))
        return rows
    return [] if isinstance(data, list) else [(prefix, data)]


def _fmt(value: Any) -> str:
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def _markdown(report: dict, plots: list[str]) -> str:
    lines = ["# emotts evaluation report", ""]
    lines += [f"- **{key}**: {_fmt(value)}" for key, value in _flatten(report["meta"])]
    sections = [("", report["summary"])]
    if "copy_synthesis" in report:
        sections.append((" (copy-synthesis)", report["copy_synthesis"]["summary"]))
    for suffix, summary in sections:
        for name, section in summary.items():
            rows = _flatten(section)
            if not rows:
                continue
            lines += ["", f"## {name}{suffix}", "", "| metric | value |", "|---|---|"]
            lines += [f"| {key} | {_fmt(value)} |" for key, value in rows]
    if "per_speaker" in report:
        lines += _per_speaker_markdown(report["per_speaker"])
    if plots:
        lines += ["", "## Plots", ""] + [f"![{p}]({p})" for p in plots]
    return "\n".join(lines) + "\n"


def _per_speaker_markdown(section: dict) -> list[str]:
    """The bar table, the notes, then one block per speaker (the figures of ``summarize``)."""
    lines = ["", "## Per-speaker bars (issue 14)", "", table_markdown(section["table"]).rstrip()]
    if section["notes"]:
        lines += [""] + [f"- {note}" for note in section["notes"]]
    for speaker, summary in section["summaries"].items():
        rows = [row for name, part in summary.items() for row in _flatten(part, name)]
        lines += ["", f"## speaker {speaker}", "", "| metric | value |", "|---|---|"]
        lines += [f"| {key} | {_fmt(value)} |" for key, value in rows]
    return lines


def _plot_confusion(ax: Any, scores: dict, title: str = "") -> None:
    matrix = np.array(scores["confusion"], dtype=float)
    shares = matrix / np.maximum(matrix.sum(axis=1, keepdims=True), 1)
    ax.imshow(shares, cmap="Blues", vmin=0, vmax=1)
    labels = scores["labels"]
    ax.set_xticks(range(len(labels)), labels, rotation=45, ha="right")
    ax.set_yticks(range(len(labels)), labels)
    for (i, j), count in np.ndenumerate(matrix):
        ax.text(
            j,
            i,
            int(count),
            ha="center",
            va="center",
            color="black" if shares[i, j] < 0.6 else "white",
        )
    ax.set_xlabel("judged")
    ax.set_ylabel("requested")
    heading = f"{title}: " if title else ""
    ax.set_title(f"{heading}accuracy {scores['accuracy']:.2f} (n = {scores['n']})")


def _plots(
    items: list[dict],
    summary: dict,
    out: Path,
    confusion_key: str = "accuracy_at_intensity_1",
    prefix: str = "",
    title: str = "",
) -> list[str]:
    """PNG plots named ``{prefix}confusion.png`` etc.; the confusion shows ``confusion_key``."""
    import matplotlib

    matplotlib.use("Agg")  # files only; never needs a display
    import matplotlib.pyplot as plt

    written = []
    emotion = summary.get("emotion", {})
    scores = emotion.get(confusion_key, {})
    if scores.get("confusion"):
        fig, ax = plt.subplots(figsize=(6, 5), layout="constrained")
        _plot_confusion(ax, scores, title)
        fig.savefig(out / f"{prefix}confusion.png", dpi=120)
        written.append(f"{prefix}confusion.png")
        plt.close(fig)
    adv_items = [r for r in items if r.get("adv") is not None and "judged_adv" in r]
    if adv_items:
        fig, axes = plt.subplots(1, 3, figsize=(12, 4), layout="constrained")
        for d, (ax, key) in enumerate(zip(axes, ADV_KEYS, strict=True)):
            ax.scatter([r["adv"][d] for r in adv_items], [r["judged_adv"][key] for r in adv_items])
            ax.plot([-1, 1], [-1, 1], color="grey", linestyle="--", linewidth=1)
            r = emotion.get("adv_pearson", {}).get(key)
            ax.set_title(f"{key} (r = {r:.2f})" if r is not None else key)
            ax.set_xlabel("requested")
            ax.set_ylabel("judged")
        if title:
            fig.suptitle(title)
        fig.savefig(out / f"{prefix}adv_scatter.png", dpi=120)
        written.append(f"{prefix}adv_scatter.png")
        plt.close(fig)
    curves = [
        r
        for r in items
        if r.get("kind") == "label" and r.get("label") != "neutral" and "judged_probabilities" in r
    ]
    if curves and "intensity_monotonicity" in emotion:
        fig, ax = plt.subplots(figsize=(6, 4), layout="constrained")
        for label in sorted({r["label"] for r in curves}):
            rows = [r for r in curves if r["label"] == label and label in r["judged_probabilities"]]
            levels = sorted({intensity_level(r["intensity"]) for r in rows})
            means = [
                np.mean(
                    [
                        r["judged_probabilities"][label]
                        for r in rows
                        if intensity_level(r["intensity"]) == i
                    ]
                )
                for i in levels
            ]
            ax.plot(levels, means, marker="o", label=label)
        ax.set_xlabel("requested intensity")
        ax.set_ylabel("judged probability of the label")
        ax.set_ylim(0, 1)
        ax.legend(fontsize="small")
        if title:
            ax.set_title(title)
        fig.savefig(out / f"{prefix}intensity_curves.png", dpi=120)
        written.append(f"{prefix}intensity_curves.png")
        plt.close(fig)
    return written


def write_report(
    report: dict, out: str | Path, confusion_key: str = "accuracy_at_intensity_1"
) -> None:
    """``report.json`` (everything), ``report.md`` (summary tables, plot links), PNG plots.

    ``confusion_key`` picks the summary's label scores drawn in ``confusion.png``; a
    ``copy_synthesis`` section gets its own ``copy_*.png`` plots.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.json").write_text(json.dumps(report, indent=2, default=str), encoding="utf-8")
    copy = report.get("copy_synthesis")
    plots = _plots(
        report["items"], report["summary"], out, confusion_key, title="recordings" if copy else ""
    )
    if copy:
        vocoder = report.get("meta", {}).get("copy_synthesis") or "vocoder"
        plots += _plots(
            copy["items"], copy["summary"], out, confusion_key, "copy_", f"copy-synthesis {vocoder}"
        )
    if "per_speaker" in report:
        plot_speaker_table(report["per_speaker"]["table"], out / SPEAKER_PLOT)
        plots.append(SPEAKER_PLOT)
    (out / "report.md").write_text(_markdown(report, plots), encoding="utf-8")
