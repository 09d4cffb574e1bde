"""Fitting intensity maps from judged probabilities, and the before/after scores.

The measurements are drawn from known response curves (judged probability of label k at model
intensity a = a logistic with a label-specific midpoint, plus noise), so what a correct fit
must do is known: bring every label to the shared target, keep the maps increasing, and flag
a label that cannot reach the target.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from emotts.errors import ConfigError
from emotts.eval.calibrate import CalibrationGrid, report_markdown, split_sentences
from emotts.eval.calibration_fit import fit_calibration, invert, score, strictly_increasing
from emotts.eval.calibration_measure import Measurement, measurement_key, read_cache

GRID = (0.0, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0)
# label -> (midpoint, ceiling): sad is strong early, fearful late, happy never gets high.
CURVES = {"sad": (0.35, 0.98), "angry": (0.8, 0.97), "fearful": (1.4, 0.95), "happy": (0.6, 0.45)}


def _response(label: str, a: np.ndarray | float) -> np.ndarray:
    midpoint, ceiling = CURVES[label]
    return ceiling / (1.0 + np.exp(-(np.asarray(a) - midpoint) * 6.0))


def _measurements(sentences: int = 5, noise: float = 0.03, seed: int = 0) -> list[Measurement]:
    rng = np.random.default_rng(seed)
    rows = []
    for s in range(sentences):
        probabilities = {k: float(_response(k, 0.0)) for k in CURVES}
        rows.append(Measurement(f"s{s}", "neutral", 0.0, probabilities, 2.0))
        for label in CURVES:
            for a in GRID[1:]:
                p = float(np.clip(_response(label, a) + rng.normal(0, noise), 0, 1))
                rows.append(Measurement(f"s{s}", label, a, {label: p} | {"neutral": 1 - p}, 2.0))
    return rows


def test_fitted_maps_bring_every_label_to_the_shared_target():
    calibration = fit_calibration(_measurements(), list(CURVES), {"judge": "synthetic"})
    assert calibration.knots == GRID
    for values in calibration.internal.values():
        assert values[0] == 0.0 and all(b > a for a, b in zip(values, values[1:], strict=False))
    before, after = [], []
    for r in (0.5, 1.0):
        raw = [float(_response(k, r)) for k in CURVES if k != "happy"]
        mapped = [
            float(_response(k, calibration.map_intensity(k, r))) for k in CURVES if k != "happy"
        ]
        before.append(np.std(raw))
        after.append(np.std(mapped))
    # Noise-free truth: the spread at 0.5 and 1 shrinks to a fraction of what it was.
    assert after[0] < 0.3 * before[0] and after[1] < 0.3 * before[1]
    # The strong label is asked for less, the weak one for more.
    assert calibration.map_intensity("sad", 1.0) < 1.0 < calibration.map_intensity("fearful", 1.0)


def test_a_label_that_cannot_reach_the_target_is_flagged_and_still_increasing():
    calibration = fit_calibration(_measurements(), list(CURVES), {})
    saturated = calibration.fit["saturated_at"]
    assert saturated["happy"], "happy tops out at 0.45, under the target at high intensity"
    assert not saturated["sad"]
    happy = calibration.internal["happy"]
    curve = calibration.fit["raw_probability"]["happy"]
    tops_out = GRID[curve.index(max(curve))]  # where the fitted curve stops growing
    for r in saturated["happy"]:  # passed through where saturated, never jumping to the top
        floor = max(r, tops_out)  # plus at most the minimum slope's rise since saturating
        assert floor - 1e-9 <= calibration.map_intensity("happy", r) <= floor + 0.1 * r
    assert happy[-1] == 2.0 and all(b > a for a, b in zip(happy, happy[1:], strict=False))


def test_invert_and_minimum_slope():
    grid = np.array([0.0, 1.0, 2.0])
    curve = np.array([0.1, 0.5, 0.5])
    assert invert(curve, grid, 0.05) == (0.0, False)
    assert invert(curve, grid, 0.3) == (pytest.approx(0.5), False)
    assert invert(curve, grid, 0.5) == (1.0, False)
    assert invert(curve, grid, 0.9) == (1.0, True)  # where the curve tops out
    flat = strictly_increasing(np.array([0.0, 0.0, 2.0, 2.0, 2.0]), np.arange(5) / 2.0, 2.0)
    assert flat[0] == 0.0 and flat[-1] == 2.0
    assert np.all(np.diff(flat) >= 0.05 - 1e-12)


def test_fit_refuses_a_grid_that_does_not_span_0_to_2():
    rows = [m for m in _measurements() if m.internal <= 1.0]
    with pytest.raises(ConfigError, match="from 0 to 2"):
        fit_calibration(rows, list(CURVES), {})


def test_score_reports_spread_across_labels_and_spearman():
    rows, requested = [], []
    for s in range(3):
        rows.append(Measurement(f"s{s}", "neutral", 0.0, {"sad": 0.0, "angry": 0.1}, 1.0))
        requested.append(0.0)
        for label, values in (("sad", (0.6, 0.9)), ("angry", (0.2, 0.5))):
            for level, p in zip((0.5, 1.0), values, strict=True):
                rows.append(Measurement(f"s{s}", label, level, {label: p + 0.01 * s}, 1.0))
                requested.append(level)
    result = score(rows, requested, ["sad", "angry"])
    assert result["mean_probability"]["0.5"] == pytest.approx({"angry": 0.21, "sad": 0.61})
    assert result["spread"]["0.5"] == pytest.approx(0.2)  # population sd of 0.61 and 0.21
    assert result["spread"]["1"] == pytest.approx(0.2)
    assert result["spearman"]["sad"] > 0.9 and result["mean_spearman"] > 0.9


def test_sentences_split_keeps_the_eval_grid_out_of_the_fit():
    sentences = [f"sentence {i:02d}" + "x" * (40 - i) for i in range(20)]
    fit, heldout = split_sentences(sentences, CalibrationGrid(3, 4))
    assert heldout == sentences[:4]
    assert not set(fit) & set(sentences[:12])
    assert fit == sentences[17:20]  # the shortest after the eval grid's twelve
    with pytest.raises(ConfigError, match="needs 15 sentences"):
        split_sentences(sentences[:14], CalibrationGrid(3, 4))


def test_cache_keys_intensity_zero_as_neutral_and_round_trips(tmp_path):
    assert measurement_key("t", "sad", 0.0) == measurement_key("t", "happy", 0.0)
    assert measurement_key("t", "sad", 0.5) != measurement_key("t", "happy", 0.5)
    path = tmp_path / "m.jsonl"
    rows = _measurements(sentences=1)[:3]
    path.write_text("".join(json.dumps(r.to_dict()) + "\n" for r in rows))
    cache = read_cache(path)
    assert list(cache.values()) == rows
    path.write_text("not json\n")
    with pytest.raises(ConfigError, match="m.jsonl:1 is not a calibration measurement"):
        read_cache(path)


def test_report_markdown_has_the_before_after_tables():
    calibration = fit_calibration(_measurements(), list(CURVES), {})
    rows = _measurements(sentences=2, seed=1)
    requested = [m.internal for m in rows]
    report = {
        "meta": {"voice": "v", "judge": "j", "fit_sentences": ["a"], "heldout_sentences": ["b"]},
        "calibration": calibration.to_dict(),
        "before": score(rows, requested, list(CURVES)),
        "after": score(rows, requested, list(CURVES)),
    }
    text = report_markdown(report)
    assert "| before |" in text and "| after |" in text and "| fearful |" in text
