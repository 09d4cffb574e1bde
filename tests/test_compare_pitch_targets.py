"""scripts/compare_pitch_targets.py: its figures on known contours, and a --smoke run."""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path

import numpy as np
import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "compare_pitch_targets.py"


def _script():
    spec = importlib.util.spec_from_file_location("compare_pitch_targets", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_figures_of_known_contours() -> None:
    figures = _script().utterance_figures
    frames = np.arange(100)
    voiced = frames % 7 != 0
    recorded = -0.01 * frames  # declination: -1 cent/s (0.01 cent per 10 ms frame)
    recorded[75:] += 0.04 * (frames[75:] - 75)  # a final rise over the last quarter
    same = figures(recorded, recorded, voiced, 1.0, 0.01)
    assert same["f0_rmse_cents"] == 0 and math.isclose(same["f0_corr"], 1.0)
    assert same["declination_err"] < 1e-9 and same["final_slope_err"] < 1e-9

    held = recorded.copy()
    held[75:] = recorded[75]  # a flat final, as a phoneme mean would draw it
    flat = figures(held, recorded, voiced, 1.0, 0.01)
    assert flat["final_slope_err"] == pytest.approx(3.0, rel=0.05)  # the rise: +3 cents/s net
    assert flat["f0_rmse_cents"] > 0 and flat["f0_corr"] < 1.0

    shifted = figures(recorded + 0.5, recorded, voiced, 200.0, 0.01)
    assert shifted["f0_rmse_cents"] == pytest.approx(100.0)
    assert math.isclose(shifted["f0_corr"], 1.0) and shifted["declination_err"] < 1e-6


@pytest.mark.slow
def test_smoke_run_trains_both_targets_and_measures_them(tiny_corpus: Path, tmp_path: Path):
    results = _script().main(
        ["--manifest", str(tiny_corpus), "--out", str(tmp_path / "cmp"), "--smoke"]
    )
    assert set(results) == {"phoneme", "frame"}
    for figures in results.values():
        assert figures["utterances"] == 2
        assert all(np.isfinite(figures[name]) for name in ("f0_rmse_cents", "mel_l1"))
    assert (tmp_path / "cmp" / "results.json").is_file()
