"""Fit per-label intensity maps from judged probabilities, and score a calibration.

Fit (on the fit sentences only):

1. per label k, the judged probability of k against model intensity, isotonic (increasing)
   regression over every rendering (sentences pooled): ``P_k(a)`` on the grid intensities;
2. the shared target: ``T(r) = mean_k P_k(r)``, what the labels give on average at raw r;
3. ``f_k(r) = P_k^-1(T(r))``: the smallest model intensity at which k reaches the target
   (linear between grid points; 0 where k's neutral-speech probability already reaches it).
   Where k never reaches it, k is *saturated* at r: the judge hears k no stronger anywhere
   on the grid, so the request passes through (``f_k(r) = r``), but never below the
   intensity where k stops growing (a jump to the top of the grid would only cost quality);
4. the map is made strictly increasing with a slope of at least ``MIN_SLOPE`` (a bigger
   request always asks for more, also where the fit is flat or saturated) and capped at
   the grid's top, and ``f_k(0) = 0``.

Scoring (on held-out sentences): per requested intensity, the mean judged probability of the
requested label per label, its spread (population standard deviation across labels), and
per label the Spearman rho between requested intensity and judged probability (renderings of
all sentences pooled, intensity 0 included, as `emotts eval` reports monotonicity).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import numpy as np

from emotts.emotion.calibration import IntensityCalibration
from emotts.errors import ConfigError
from emotts.eval.calibration_measure import Measurement
from emotts.eval.emotion_metrics import spearman

#: Smallest slope of a fitted map (model intensity per unit of request).
MIN_SLOPE = 0.1


def isotonic_curve(
    measurements: Sequence[Measurement], label: str, grid: Sequence[float]
) -> np.ndarray:
    """``P_label`` at each ``grid`` intensity: isotonic fit of the judged probability of
    ``label`` on renderings of ``label`` (and of neutral speech, model intensity 0)."""
    from sklearn.isotonic import IsotonicRegression

    rows = [m for m in measurements if m.label == label or m.internal == 0.0]
    if not rows:
        raise ConfigError(f"no calibration measurements for label {label!r}")
    x = np.array([m.internal for m in rows])
    y = np.array([m.probabilities[label] for m in rows])
    model = IsotonicRegression(increasing=True, out_of_bounds="clip").fit(x, y)
    return model.predict(np.asarray(grid, dtype=np.float64))


def invert(curve: np.ndarray, grid: np.ndarray, target: float) -> tuple[float, bool]:
    """Smallest intensity where the nondecreasing piecewise-linear ``curve`` reaches
    ``target``, and whether it never does (saturated: then the smallest intensity where the
    curve reaches its maximum)."""
    if target <= curve[0]:
        return float(grid[0]), False
    if target > curve[-1]:
        return float(grid[int(np.argmax(curve >= curve[-1]))]), True
    upper = int(np.argmax(curve >= target))
    low, high = curve[upper - 1], curve[upper]
    share = (target - low) / (high - low)
    return float(grid[upper - 1] + share * (grid[upper] - grid[upper - 1])), False


def strictly_increasing(values: np.ndarray, knots: np.ndarray, top: float) -> np.ndarray:
    """``values`` raised (forward) and capped (backward) so every step rises by at least
    ``MIN_SLOPE`` times the knot step, starting at 0 and never above ``top``."""
    out = np.array(values, dtype=np.float64)
    out[0] = 0.0
    for i in range(1, len(out)):
        out[i] = max(out[i], out[i - 1] + MIN_SLOPE * (knots[i] - knots[i - 1]))
    out[-1] = min(out[-1], top)
    for i in range(len(out) - 2, 0, -1):
        out[i] = min(out[i], out[i + 1] - MIN_SLOPE * (knots[i + 1] - knots[i]))
    return out


def fit_calibration(
    measurements: Sequence[Measurement], labels: Sequence[str], fit_info: dict[str, Any]
) -> IntensityCalibration:
    """Maps for ``labels`` (not neutral) on the grid of model intensities measured; the knots
    are those intensities, which must run from 0 to 2. ``fit_info`` is stored with the maps."""
    grid = np.array(sorted({round(m.internal, 6) for m in measurements}), dtype=np.float64)
    if len(grid) < 2 or grid[0] != 0.0 or grid[-1] != 2.0:
        raise ConfigError(
            f"calibration needs renderings at model intensities from 0 to 2; got {grid.tolist()}"
        )
    curves = {label: isotonic_curve(measurements, label, grid) for label in labels}
    target = np.mean(np.stack(list(curves.values())), axis=0)
    internal, saturated = {}, {}
    for label, curve in curves.items():
        inverted = [invert(curve, grid, t) for t in target]
        fitted = np.array(
            [
                max(value, r) if never else value
                for r, (value, never) in zip(grid, inverted, strict=True)
            ]
        )
        internal[label] = tuple(
            round(float(v), 4) for v in strictly_increasing(fitted, grid, grid[-1])
        )
        saturated[label] = [float(r) for r, (_, never) in zip(grid, inverted, strict=True) if never]
    info = dict(fit_info) | {
        "target": "mean over labels of the isotonic judged probability at raw intensity r",
        "target_probability": [round(float(t), 4) for t in target],
        "raw_probability": {k: [round(float(p), 4) for p in v] for k, v in curves.items()},
        "saturated_at": saturated,
        "min_slope": MIN_SLOPE,
    }
    return IntensityCalibration(tuple(float(k) for k in grid), internal, info)


def score(
    measurements: Sequence[Measurement], requested: Sequence[float], labels: Sequence[str]
) -> dict[str, Any]:
    """Spread and monotonicity of held-out renderings; ``requested[i]`` is the intensity the
    user asked for in ``measurements[i]`` (model intensity 0 rows count for every label)."""
    by_level: dict[float, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    pairs: dict[str, tuple[list[float], list[float]]] = {k: ([], []) for k in labels}
    for measurement, level in zip(measurements, requested, strict=True):
        for label in labels if measurement.internal == 0.0 else [measurement.label]:
            probability = measurement.probabilities[label]
            by_level[float(level)][label].append(probability)
            pairs[label][0].append(float(level))
            pairs[label][1].append(probability)
    means = {
        f"{level:g}": {k: float(np.mean(v)) for k, v in sorted(per_label.items())}
        for level, per_label in sorted(by_level.items())
    }
    rho = {label: spearman(*pairs[label]) for label in labels}
    known = [r for r in rho.values() if r is not None]
    return {
        "mean_probability": means,
        "spread": {level: float(np.std(list(m.values()))) for level, m in means.items()},
        "spearman": rho,
        "mean_spearman": float(np.mean(known)) if known else None,
        "n": len(measurements),
    }
