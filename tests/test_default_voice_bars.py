"""scripts/default_voice_bars.py: the model card's bar table is computed from report items."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "default_voice_bars.py"


@pytest.fixture(scope="module")
def bars():
    spec = importlib.util.spec_from_file_location("default_voice_bars", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _label(label, intensity, word_errors, words, similarity=None):
    return {
        "kind": "label",
        "label": label,
        "intensity": intensity,
        "word_errors": word_errors,
        "words": words,
        "wer": word_errors / words,
        "speaker_to_neutral": similarity,
    }


def _report(similarity_angry: float, duration_error: float) -> dict:
    items = [
        _label("neutral", 1.0, 1, 10),
        _label("neutral", 1.0, 0, 10),  # neutral WER = 1 / 20 = 0.05 (errors over words)
        _label("angry", 1.0, 3, 10, similarity_angry),
        _label("angry", 0.5, 9, 10, 0.9),  # not at intensity 1: no effect on WER
        _label("angry", 0.0, 9, 10, 0.1),  # intensity 0 is neutral: no effect on similarity
        _label("sad", 1.0, 1, 10, 0.9),
        {"kind": "duration", "requested_duration": 2.0, "produced_duration": 2.0 + duration_error},
    ]
    summary = {
        "quality": {"overall": {"ovrl": 3.0}},
        "emotion": {
            "accuracy_at_intensity_1": {"n": 84, "accuracy": 0.63},
            "adv_pearson": {"arousal": 0.9, "dominance": 0.4, "valence": 0.6},
            "intensity_monotonicity": {"angry": 1.0, "sad": 0.7, "happy": None},
            "blend_recognition": {"n": 36, "rate": 0.25},
        },
    }
    return {"items": items, "summary": summary}


def test_rows_and_verdicts(bars):
    rows = {
        m.split(" (")[0]: (value, met)
        for m, value, _, met in bars.bar_rows(_report(0.8, 0.005), 0.78)
    }
    assert rows["WER, neutral"] == ("0.050", True)
    # mean of per-label WER at intensity 1: neutral 0.05, angry 0.3, sad 0.1
    assert rows["WER, mean over labels at intensity 1"][0].startswith("0.150")
    assert rows["judge accuracy at intensity 1"] == ("0.63", True)  # 0.8 x 0.78 = 0.624
    assert rows["Pearson r requested vs judged dominance"] == ("0.40", False)
    assert rows["intensity monotonicity, mean Spearman rho"][0].startswith("0.85")  # None skipped
    assert rows["blends recognized"] == ("0.25", False)
    similarity = rows["speaker similarity to neutral, lowest label mean"]
    assert similarity[0].startswith("0.85") and similarity[1]  # angry (0.8 + 0.9) / 2
    assert rows["requested duration error, max"] == ("5.0 ms", True)


def test_a_failing_label_or_duration_is_reported(bars):
    rows = {
        m.split(" (")[0]: (value, met)
        for m, value, _, met in bars.bar_rows(_report(0.5, 0.02), 0.82)
    }
    assert rows["speaker similarity to neutral, lowest label mean"][1] is False  # angry 0.7
    assert rows["requested duration error, max"] == ("20.0 ms", False)
    assert rows["judge accuracy at intensity 1"] == ("0.63", False)  # 0.8 x 0.82 = 0.656
