"""Emotion metrics computed from the judge's outputs on synthesized speech.

* accuracy / confusion: requested label vs the judge's most probable label;
* ADV Pearson r: requested vs judged arousal, dominance, valence, per dimension;
* intensity monotonicity: Spearman rho, per label, between requested intensity and the
  judge's probability of that label (1 = stronger request always sounds more like it);
* blend recognition: share of two-label blends whose two components are the judge's two
  most probable labels.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def confusion_matrix(true: np.ndarray, predicted: np.ndarray, n_classes: int) -> np.ndarray:
    """``[n, n]`` counts; rows are requested labels, columns judged labels."""
    matrix = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(matrix, (np.asarray(true), np.asarray(predicted)), 1)
    return matrix


def pearson(a: Sequence[float], b: Sequence[float]) -> float | None:
    """Pearson r, or None when either side is constant or there are under 3 points."""
    x, y = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if len(x) < 3 or x.std() == 0 or y.std() == 0:
        return None
    return float(np.corrcoef(x, y)[0, 1])


def spearman(a: Sequence[float], b: Sequence[float]) -> float | None:
    """Spearman rho (Pearson r of average ranks), None when undefined."""
    from scipy.stats import rankdata

    if len(a) < 3:
        return None
    return pearson(rankdata(a), rankdata(b))


def label_scores(requested: list[str], probabilities: np.ndarray, labels: list[str]) -> dict:
    """Accuracy and confusion over items whose requested label the judge knows."""
    known = [i for i, label in enumerate(requested) if label in labels]
    if not known:
        return {"n": 0, "accuracy": None, "confusion": None, "labels": labels}
    true = np.array([labels.index(requested[i]) for i in known])
    predicted = probabilities[known].argmax(axis=1)
    return {
        "n": len(known),
        "accuracy": float(np.mean(true == predicted)),
        "confusion": confusion_matrix(true, predicted, len(labels)).tolist(),
        "labels": labels,
    }


def intensity_monotonicity(
    requested: list[str], intensities: list[float], probabilities: np.ndarray, labels: list[str]
) -> dict[str, float | None]:
    """Per label: Spearman rho between requested intensity and the judged probability."""
    result: dict[str, float | None] = {}
    for label in sorted(set(requested)):
        if label not in labels:
            continue
        rows = [i for i, name in enumerate(requested) if name == label]
        column = probabilities[rows, labels.index(label)]
        result[label] = spearman([intensities[i] for i in rows], column)
    return result


def blend_recognition(
    components: list[tuple[str, str]], probabilities: np.ndarray, labels: list[str]
) -> dict:
    """Share of blends whose two components are the two most probable judged labels."""
    hits = []
    for (a, b), probs in zip(components, probabilities, strict=True):
        if a not in labels or b not in labels:
            continue
        top_two = {labels[i] for i in np.argsort(probs)[::-1][:2]}
        hits.append(top_two == {a, b})
    return {"n": len(hits), "rate": float(np.mean(hits)) if hits else None}
