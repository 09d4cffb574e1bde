"""The default voice's acceptance table (issue 6 bars) from an `emotts eval` report.json.

    python scripts/default_voice_bars.py /path/to/eval/report.json [--ceiling-accuracy 0.78]

Prints a markdown table (measure, value, bar, met?) for the model card. Everything is read
from the report's per-item rows, so the figures are exactly those of the evaluation run.
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from pathlib import Path

import numpy as np

FRAME_S = 256 / 22050  # one mel frame of the default voice


def _mean(values: list[float]) -> float | None:
    return float(np.mean(values)) if values else None


def bar_rows(report: dict, ceiling_accuracy: float) -> list[tuple[str, str, str, bool | None]]:
    items = report["items"]
    summary = report["summary"]
    emotion = summary.get("emotion", {})
    rows: list[tuple[str, str, str, bool | None]] = []

    at_one: dict[str, list[dict]] = defaultdict(list)
    for item in items:
        if item["kind"] == "label" and item.get("wer") is not None and item["intensity"] == 1.0:
            at_one[item["label"]].append(item)

    def corpus_wer(group: list[dict]) -> float:
        # Word errors over words (as the report's own WER), not a mean of per-item ratios.
        return sum(i["word_errors"] for i in group) / max(sum(i["words"] for i in group), 1)

    neutral = corpus_wer(at_one["neutral"]) if at_one.get("neutral") else None
    rows.append(
        (
            f"WER, neutral (n = {len(at_one.get('neutral', []))})",
            f"{neutral:.3f}" if neutral is not None else "n/a",
            "<= 0.12",
            None if neutral is None else neutral <= 0.12,
        )
    )
    per_label = {label: corpus_wer(group) for label, group in sorted(at_one.items())}
    mean_wer = _mean(list(per_label.values()))
    rows.append(
        (
            "WER, mean over labels at intensity 1",
            f"{mean_wer:.3f} (" + ", ".join(f"{k} {v:.2f}" for k, v in per_label.items()) + ")",
            "<= 0.20",
            None if mean_wer is None else mean_wer <= 0.20,
        )
    )

    ovrl = summary.get("quality", {}).get("overall", {}).get("ovrl")
    rows.append(
        (
            "DNSMOS OVRL, all renderings",
            f"{ovrl:.2f}" if ovrl is not None else "n/a",
            ">= 2.8",
            None if ovrl is None else ovrl >= 2.8,
        )
    )

    accuracy = emotion.get("accuracy_at_intensity_1", {})
    acc = accuracy.get("accuracy")
    target = 0.8 * ceiling_accuracy
    rows.append(
        (
            f"judge accuracy at intensity 1 (n = {accuracy.get('n', 0)})",
            f"{acc:.2f}" if acc is not None else "n/a",
            f">= 0.8 x ceiling {ceiling_accuracy:.2f} = {target:.2f}",
            None if acc is None else acc >= target,
        )
    )

    adv = emotion.get("adv_pearson", {})
    for name, bar in (("arousal", 0.8), ("dominance", 0.5), ("valence", 0.5)):
        r = adv.get(name)
        rows.append(
            (
                f"Pearson r requested vs judged {name}",
                f"{r:.2f}" if r is not None else "n/a",
                f">= {bar}",
                None if r is None else r >= bar,
            )
        )

    rho = {k: v for k, v in emotion.get("intensity_monotonicity", {}).items() if v is not None}
    mean_rho = _mean(list(rho.values()))
    rows.append(
        (
            "intensity monotonicity, mean Spearman rho",
            (f"{mean_rho:.2f} (" + ", ".join(f"{k} {v:.2f}" for k, v in sorted(rho.items())) + ")")
            if mean_rho is not None
            else "n/a",
            ">= 0.9",
            None if mean_rho is None else mean_rho >= 0.9,
        )
    )

    blends = emotion.get("blend_recognition", {})
    rate = blends.get("rate")
    rows.append(
        (
            f"blends recognized (n = {blends.get('n', 0)})",
            f"{rate:.2f}" if rate is not None else "n/a",
            ">= 0.70",
            None if rate is None else rate >= 0.70,
        )
    )
    rise = emotion.get("blend_rise", {})
    both = rise.get("both_rise_rate")
    rows.append(
        (
            f"blends whose components both rise over neutral (n = {rise.get('n', 0)})",
            f"{both:.2f} (mean rise {rise['mean_rise']:+.2f})" if both is not None else "n/a",
            "(no bar)",
            None,
        )
    )

    similarity: dict[str, list[float]] = defaultdict(list)
    for item in items:
        if (
            item["kind"] == "label"
            and item.get("speaker_to_neutral") is not None
            and item["label"] != "neutral"
            and item["intensity"] > 0
        ):
            similarity[item["label"]].append(item["speaker_to_neutral"])
    per_label_sim = {label: float(np.mean(v)) for label, v in sorted(similarity.items())}
    worst = min(per_label_sim.values()) if per_label_sim else None
    rows.append(
        (
            "speaker similarity to neutral, lowest label mean",
            (f"{worst:.2f} (" + ", ".join(f"{k} {v:.2f}" for k, v in per_label_sim.items()) + ")")
            if worst is not None
            else "n/a",
            ">= 0.75 for every label",
            None if worst is None else worst >= 0.75,
        )
    )

    errors = [
        abs(item["produced_duration"] - item["requested_duration"])
        for item in items
        if item.get("requested_duration") is not None and item.get("produced_duration") is not None
    ]
    worst_error = max(errors) if errors else None
    rows.append(
        (
            f"requested duration error, max (n = {len(errors)})",
            f"{1000 * worst_error:.1f} ms" if worst_error is not None else "n/a",
            f"<= 1 frame ({1000 * FRAME_S:.1f} ms)",
            None if worst_error is None else worst_error <= FRAME_S + 1e-9,
        )
    )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("report", type=Path)
    parser.add_argument(
        "--ceiling-accuracy",
        type=float,
        default=0.78,
        help="the judge's accuracy on corpus audio (docs/evaluation.md: 0.78-0.82; the lower "
        "one makes the bar easier, the default is the larger run's figure)",
    )
    args = parser.parse_args()
    report = json.loads(args.report.read_text(encoding="utf-8"))
    print("| measure | this voice | bar | met |")
    print("|---|---|---|---|")
    for measure, value, bar, met in bar_rows(report, args.ceiling_accuracy):
        verdict = "n/a" if met is None else ("yes" if met else "**no**")
        print(f"| {measure} | {value} | {bar} | {verdict} |")


if __name__ == "__main__":
    main()
