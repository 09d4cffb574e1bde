"""Emotion metrics computed from the judge's outputs on synthesized speech.

* accuracy / confusion: requested label vs the judge's most probable label;
* ADV Pearson r: requested vs judged arousal, dominance, valence, per dimension;
* intensity monotonicity: Spearman rho, per label, between requested intensity and the
  judge's probability of that label (1 = stronger request always sounds more like it);
* blend recognition: share of two-label blends whose two components are the judge's two
  most probable labels;
* blend rise: how much each component's judged probability rises over the same sentence's
  neutral rendering. A judge fitted on single labels spreads little probability over a
  second label, so "top two" rarely holds even for a good blend; a rise of both components
  over neutral is what such a judge can see.
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


def blend_rise(
    components: list[tuple[str, ...]],
    blend_probabilities: np.ndarray,
    neutral_probabilities: np.ndarray,
    labels: list[str],
    pure_probabilities: list[dict[str, np.ndarray]] | None = None,
) -> dict:
    """Per blend and component: judged probability in the blend minus in neutral speech.

    Args:
        components: each blend's labels.
        blend_probabilities: [N, K] judged probabilities of the blends.
        neutral_probabilities: [N, K] of the neutral rendering of each blend's sentence.
        labels: the judge's label order (K).
        pure_probabilities: per blend, optionally, each component's own rendering (the same
            sentence at intensity 1, [K] each), to state a component's rise as a share of the
            pure label's rise over neutral (a 50/50 blend ideally keeps about half of each).
    Returns:
        ``n``; ``both_rise_rate``: share of blends where every component rises over neutral;
        ``mean_rise``: the mean rise over components and blends; ``by_pair``:
        ``{"a+b": {"n", "rise": {a: mean, b: mean}, "both_rise_rate", "share_of_pure":
        {a: mean or None, ...}}}``.
    """
    rows = []
    for index, names in enumerate(components):
        if not all(name in labels for name in names):
            continue
        rise = {
            name: float(
                blend_probabilities[index, labels.index(name)]
                - neutral_probabilities[index, labels.index(name)]
            )
            for name in names
        }
        share: dict[str, float | None] = dict.fromkeys(names)
        pure = (pure_probabilities or [{}] * len(components))[index]
        for name in names:
            if name in pure:
                pure_rise = (
                    pure[name][labels.index(name)]
                    - neutral_probabilities[index, labels.index(name)]
                )
                # A pure label that does not rise over neutral gives no scale to compare with.
                share[name] = float(rise[name] / pure_rise) if pure_rise > 0.05 else None
        rows.append((tuple(names), rise, share))
    if not rows:
        return {"n": 0, "both_rise_rate": None, "mean_rise": None, "by_pair": {}}

    def both(group: list) -> float:
        return float(np.mean([all(r > 0 for r in rise.values()) for _, rise, _ in group]))

    by_pair = {}
    for names in dict.fromkeys(names for names, _, _ in rows):
        group = [row for row in rows if row[0] == names]
        shares = {name: [s[name] for _, _, s in group if s[name] is not None] for name in names}
        by_pair["+".join(names)] = {
            "n": len(group),
            "rise": {name: float(np.mean([r[name] for _, r, _ in group])) for name in names},
            "both_rise_rate": both(group),
            "share_of_pure": {
                name: float(np.mean(values)) if values else None for name, values in shares.items()
            },
        }
    return {
        "n": len(rows),
        "both_rise_rate": both(rows),
        "mean_rise": float(np.mean([r for _, rise, _ in rows for r in rise.values()])),
        "by_pair": by_pair,
    }
