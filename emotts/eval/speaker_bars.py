"""Issue 14's bars per speaker: the figures, the pass/fail table, its markdown and its plot.

Each speaker of a per-speaker ``emotts eval`` run gets one row; each bar is a column:

* ``wer_neutral``: corpus WER of the neutral label renderings (intensity 1; the stretched
  ``duration`` items are left out, as in the default voice's card), <= 0.05;
* ``dnsmos_ovrl``: mean DNSMOS OVRL over every grid rendering of the speaker, >= 3.0;
* ``accuracy_at_1``: emotion-judge accuracy on the label items at intensity 1, >= 0.66;
* ``valence_r``: Pearson r of requested against judged valence (adv items), >= 0.5;
* ``similarity_to_neutral``: the lowest per-label mean similarity of a label's renderings to
  the speaker's own neutral rendering of the same sentence, >= 0.80 (every label must hold);
* ``distinct``: the speaker's within-speaker similarity minus its highest cross-speaker
  similarity, > 0 (it is closer to itself than to any other speaker).

The voice as a whole must also keep the mean within minus mean cross margin of
:mod:`emotts.eval.distinct` at or above ``MARGIN_BAR``. A figure that cannot be measured (no
emotion judge, no adv items) is ``None`` and its cell ``n/a``: never a pass.
"""

from __future__ import annotations

import operator
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

#: Issue 14's reading of "distinct by a margin": half the RHVoice recordings' own margin
#: (+0.340, docs/evaluation.md), i.e. the voice keeps a margin "of the same order".
MARGIN_BAR = 0.17

#: column: (what it is, comparison, bar)
BARS: dict[str, tuple[str, str, float]] = {
    "wer_neutral": ("WER, neutral", "<=", 0.05),
    "dnsmos_ovrl": ("DNSMOS OVRL", ">=", 3.0),
    "accuracy_at_1": ("judge accuracy at intensity 1", ">=", 0.66),
    "valence_r": ("valence r", ">=", 0.5),
    "similarity_to_neutral": ("similarity to neutral, lowest label", ">=", 0.80),
    "distinct": ("within - closest cross", ">", 0.0),
}
_OPS = {"<=": operator.le, ">=": operator.ge, ">": operator.gt}


def speaker_figures(
    records: list[dict], summary: dict[str, Any], distinct: dict | None, speaker: str
) -> dict[str, Any]:
    """One speaker's figures from its report records and its :func:`summarize` summary;
    ``distinct`` is the run's distinctness (None when not measured)."""
    neutral = [
        r
        for r in records
        if r["kind"] == "label" and r["label"] == "neutral" and r["intensity"] == 1.0
    ]
    wer = (
        sum(r["word_errors"] for r in neutral) / max(sum(r["words"] for r in neutral), 1)
        if neutral
        else None
    )
    similarity: dict[str, list[float]] = defaultdict(list)
    for r in records:
        if (
            r["kind"] == "label"
            and r["label"] != "neutral"
            and r["intensity"] > 0
            and r.get("speaker_to_neutral") is not None
        ):
            similarity[r["label"]].append(r["speaker_to_neutral"])
    by_label = {label: float(np.mean(v)) for label, v in sorted(similarity.items())}
    emotion = summary.get("emotion", {})
    closest = None
    if distinct is not None and speaker in distinct["within"]:
        closest = distinct["within"][speaker] - max(distinct["cross"][speaker].values())
    return {
        "wer_neutral": wer,
        "n_neutral": len(neutral),
        "dnsmos_ovrl": summary.get("quality", {}).get("overall", {}).get("ovrl"),
        "accuracy_at_1": emotion.get("accuracy_at_intensity_1", {}).get("accuracy"),
        "valence_r": emotion.get("adv_pearson", {}).get("valence"),
        "similarity_to_neutral": min(by_label.values()) if by_label else None,
        "similarity_by_label": by_label,
        "distinct": closest,
    }


def passes(column: str, value: float | None) -> bool | None:
    """Whether ``value`` meets ``column``'s bar (None: not measured)."""
    if value is None or not np.isfinite(value):
        return None
    _, op, bar = BARS[column]
    return bool(_OPS[op](value, bar))


def speaker_table(figures: dict[str, dict[str, Any]], distinct: dict | None) -> dict[str, Any]:
    """The per-speaker table: for every speaker and bar, the value and pass (True/False/None),
    the speaker's verdict (True only when every cell passes), and the voice's margin."""
    rows = {}
    for speaker, values in figures.items():
        cells = {
            column: {"value": values.get(column), "pass": passes(column, values.get(column))}
            for column in BARS
        }
        verdicts = [cell["pass"] for cell in cells.values()]
        rows[speaker] = {
            "cells": cells,
            "similarity_by_label": values.get("similarity_by_label", {}),
            "all_pass": all(v is True for v in verdicts),
        }
    margin = distinct["margin"] if distinct is not None else None
    return {
        "bars": {col: {"measure": m, "op": op, "bar": bar} for col, (m, op, bar) in BARS.items()},
        "rows": rows,
        "margin": {
            "value": margin,
            "bar": MARGIN_BAR,
            "pass": None if margin is None else bool(margin >= MARGIN_BAR),
            "mean_within": distinct["mean_within"] if distinct else None,
            "mean_cross": distinct["mean_cross"] if distinct else None,
            "closest_pair": distinct["closest_pair"] if distinct else None,
        },
    }


def _cell(cell: dict[str, Any]) -> str:
    value = cell["value"]
    if value is None:
        return "n/a"
    verdict = "pass" if cell["pass"] else "**fail**"
    return f"{value:.3f} {verdict}"


def table_markdown(table: dict[str, Any]) -> str:
    """The table as markdown: a row per speaker, a column per bar (value and pass/fail), and
    a line for the voice's distinctness margin."""
    bars = table["bars"]
    header = ["speaker"] + [f"{b['measure']} ({b['op']} {b['bar']:g})" for b in bars.values()]
    lines = ["| " + " | ".join(header + ["all bars"]) + " |", "|" + "---|" * (len(header) + 1)]
    for speaker, row in table["rows"].items():
        cells = [_cell(row["cells"][column]) for column in bars]
        lines.append(
            f"| {speaker} | " + " | ".join(cells) + f" | {'yes' if row['all_pass'] else 'no'} |"
        )
    margin = table["margin"]
    if margin["value"] is None:
        lines += ["", f"Distinctness margin: not measured (bar >= {margin['bar']:g})."]
    else:
        verdict = "pass" if margin["pass"] else "**fail**"
        lines += [
            "",
            f"Distinctness margin (mean within {margin['mean_within']:.3f} - mean cross "
            f"{margin['mean_cross']:.3f}): {margin['value']:+.3f} (bar >= {margin['bar']:g}) "
            f"{verdict}; closest pair {'/'.join(margin['closest_pair'])}.",
        ]
    return "\n".join(lines) + "\n"


def plot_speaker_table(table: dict[str, Any], path: Path) -> Path:
    """One panel per bar: each speaker's figure as a bar (green pass, red fail, grey n/a)
    and the bar as a dashed line."""
    import matplotlib

    matplotlib.use("Agg")  # files only; never needs a display
    import matplotlib.pyplot as plt

    speakers = list(table["rows"])
    columns = list(table["bars"])
    fig, axes = plt.subplots(1, len(columns), figsize=(2.6 * len(columns), 3.4), squeeze=False)
    colors = {True: "tab:green", False: "tab:red", None: "lightgrey"}
    for ax, column in zip(axes[0], columns, strict=True):
        bar = table["bars"][column]
        cells = [table["rows"][s]["cells"][column] for s in speakers]
        values = [0.0 if c["value"] is None else c["value"] for c in cells]
        ax.bar(range(len(speakers)), values, color=[colors[c["pass"]] for c in cells])
        # Written out too: a zero (a perfect WER) or an unmeasured figure draws no bar.
        for x, cell in enumerate(cells):
            text = "n/a" if cell["value"] is None else f"{cell['value']:.2f}"
            ax.annotate(text, (x, values[x]), ha="center", va="bottom", fontsize="x-small")
        ax.axhline(bar["bar"], color="black", linestyle="--", linewidth=1)
        ax.set_xticks(range(len(speakers)), speakers, rotation=30, ha="right", fontsize="small")
        ax.set_title(f"{bar['measure']}\n{bar['op']} {bar['bar']:g}", fontsize="small")
    margin = table["margin"]
    if margin["value"] is not None:
        fig.suptitle(
            f"distinctness margin {margin['value']:+.3f} (bar >= {margin['bar']:g})",
            fontsize="medium",
        )
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
