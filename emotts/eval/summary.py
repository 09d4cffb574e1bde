"""Aggregating per-item records into the report's summary figures."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np

from emotts.eval.emotion_metrics import (
    blend_recognition,
    blend_rise,
    intensity_monotonicity,
    label_scores,
    pearson,
)
from emotts.eval.judge import ADV_KEYS

DNSMOS_KEYS = ("sig", "bak", "ovrl")


def intensity_level(intensity: float) -> float:
    """Intensity rounded to the nearest 0.5: the grid's levels are exact, recordings' are not.

    Reference corpora draw intensities continuously (0.5-1.5 in the synthetic corpus), so
    per-intensity figures group them: level 1 holds [0.75, 1.25).
    """
    return float(np.floor(2.0 * intensity + 0.5) / 2.0)


def _mean(values: list[float]) -> float | None:
    finite = [v for v in values if v is not None and np.isfinite(v)]
    return float(np.mean(finite)) if finite else None


def intelligibility(records: list[dict]) -> dict[str, Any]:
    """Corpus WER/CER (errors summed over utterances), overall and per label."""

    def rates(rows: list[dict]) -> dict[str, float]:
        words = max(sum(r["words"] for r in rows), 1)
        chars = max(sum(r["chars"] for r in rows), 1)
        return {
            "wer": sum(r["word_errors"] for r in rows) / words,
            "cer": sum(r["char_errors"] for r in rows) / chars,
            "n": len(rows),
        }

    by_label = defaultdict(list)
    for r in records:
        by_label[r.get("label") or r.get("kind", "all")].append(r)
    return {
        "overall": rates(records),
        "by_label": {k: rates(v) for k, v in sorted(by_label.items())},
    }


def quality(records: list[dict]) -> dict[str, Any]:
    overall = {k: _mean([r["dnsmos"][k] for r in records]) for k in DNSMOS_KEYS}
    by_label = defaultdict(list)
    for r in records:
        by_label[r.get("label") or r.get("kind", "all")].append(r)
    return {
        "overall": overall,
        "by_label": {
            name: {k: _mean([r["dnsmos"][k] for r in rows]) for k in DNSMOS_KEYS}
            for name, rows in sorted(by_label.items())
        },
    }


def emotion(records: list[dict], labels: list[str]) -> dict[str, Any]:
    """Judge-based figures over the grid's label, adv and blend items."""
    judged = [r for r in records if "judged_probabilities" in r]
    if not judged:
        return {}

    def probs(rows: list[dict]) -> np.ndarray:
        return np.array([[r["judged_probabilities"][k] for k in labels] for r in rows]).reshape(
            -1, len(labels)
        )

    label_rows = [r for r in judged if r["kind"] == "label"]
    at_one = [r for r in label_rows if intensity_level(r["intensity"]) == 1.0]
    result: dict[str, Any] = {
        "accuracy_at_intensity_1": label_scores(
            [r["label"] for r in at_one], probs(at_one), labels
        ),
        "accuracy_by_intensity": {
            f"{i:g}": label_scores([r["label"] for r in rows], probs(rows), labels)["accuracy"]
            for i in sorted({intensity_level(r["intensity"]) for r in label_rows})
            for rows in [
                [
                    r
                    for r in label_rows
                    if intensity_level(r["intensity"]) == i and r["label"] != "neutral"
                ]
            ]
        },
        # Every label item that asks for some emotion (intensity 0 is neutral by definition);
        # the headline figure for recordings, whose intensities are continuous.
        "accuracy_all": label_scores(
            [r["label"] for r in label_rows if r["intensity"] > 0],
            probs([r for r in label_rows if r["intensity"] > 0]),
            labels,
        ),
    }
    emotional = [r for r in label_rows if r["label"] != "neutral"]
    result["intensity_monotonicity"] = intensity_monotonicity(
        [r["label"] for r in emotional],
        [r["intensity"] for r in emotional],
        probs(emotional),
        labels,
    )
    known = [v for v in result["intensity_monotonicity"].values() if v is not None]
    result["mean_intensity_monotonicity"] = float(np.mean(known)) if known else None
    result["intensity_spread"] = intensity_spread(emotional)
    blends = [r for r in judged if r["kind"] == "blend"]
    result["blend_recognition"] = blend_recognition(
        [tuple(r["mix"]) for r in blends], probs(blends), labels
    )
    result["blend_rise"] = _blend_rise(blends, label_rows, labels)
    adv_rows = [r for r in judged if r.get("adv") is not None and "judged_adv" in r]
    if adv_rows:
        result["adv_pearson"] = {
            key: pearson([r["adv"][d] for r in adv_rows], [r["judged_adv"][key] for r in adv_rows])
            for d, key in enumerate(ADV_KEYS)
        }
    return result


def intensity_spread(rows: list[dict]) -> dict[str, Any]:
    """Per requested intensity level: each label's mean judged probability of itself, and its
    spread (population standard deviation across labels), as ``emotts eval calibrate`` scores
    a calibration: a calibrated voice gives every label the same judged strength at a level."""
    by_level: dict[float, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for r in rows:
        if r["label"] in r["judged_probabilities"]:
            level = intensity_level(r["intensity"])
            by_level[level][r["label"]].append(r["judged_probabilities"][r["label"]])
    result = {}
    for level, per_label in sorted(by_level.items()):
        means = {k: float(np.mean(v)) for k, v in sorted(per_label.items())}
        result[f"{level:g}"] = {"spread": float(np.std(list(means.values()))), "mean": means}
    return result


def _blend_rise(blends: list[dict], label_rows: list[dict], labels: list[str]) -> dict:
    """`blend_rise` with each blend's neutral (and pure-label) rendering of the same sentence."""
    neutral = {r["text"]: r for r in label_rows if r["label"] == "neutral"}
    pure = {
        (r["text"], r["label"]): r
        for r in label_rows
        if r["label"] != "neutral" and intensity_level(r["intensity"]) == 1.0
    }
    scored = [r for r in blends if r["text"] in neutral]

    def vector(record: dict) -> np.ndarray:
        return np.array([record["judged_probabilities"][k] for k in labels])

    return blend_rise(
        [tuple(r["mix"]) for r in scored],
        np.array([vector(r) for r in scored]).reshape(-1, len(labels)),
        np.array([vector(neutral[r["text"]]) for r in scored]).reshape(-1, len(labels)),
        labels,
        [
            {k: vector(pure[(r["text"], k)]) for k in r["mix"] if (r["text"], k) in pure}
            for r in scored
        ],
    )


def timing(records: list[dict]) -> dict[str, Any]:
    rows = [r for r in records if r.get("requested_duration") is not None]
    if not rows:
        return {}
    errors = [r["produced_duration"] - r["requested_duration"] for r in rows]
    relative = [abs(e) / r["requested_duration"] for e, r in zip(errors, rows, strict=True)]
    return {
        "n": len(rows),
        "mean_abs_error_s": float(np.mean(np.abs(errors))),
        "max_abs_error_s": float(np.max(np.abs(errors))),
        "mean_relative_error": float(np.mean(relative)),
    }


def reference(records: list[dict]) -> dict[str, Any]:
    rows = [r["reference_metrics"] for r in records if "reference_metrics" in r]
    if not rows:
        return {}
    keys = ("mcd_db", "f0_rmse_cents", "vuv_error", "duration_ratio")
    return {"n": len(rows)} | {k: _mean([row[k] for row in rows]) for k in keys}


def speaker(records: list[dict]) -> dict[str, Any]:
    return {
        key: _mean([r[key] for r in records if key in r])
        for key in ("speaker_to_neutral", "speaker_to_reference")
        if any(key in r for r in records)
    }
