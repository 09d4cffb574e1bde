"""The eGeMAPS emotion judge and the emotion metrics computed from it."""

import json

import numpy as np
import pytest
from test_eval_support import needs_rhvoice, prosody, rhvoice

from emotts.errors import ConfigError
from emotts.eval.emotion_metrics import (
    blend_recognition,
    blend_rise,
    confusion_matrix,
    intensity_monotonicity,
    spearman,
)
from emotts.eval.judge import EmotionJudge

TEXTS = [
    "I found the keys under the sofa.",
    "The meeting starts in ten minutes.",
    "We are going to the seaside tomorrow.",
    "Please close the window behind you.",
    "My sister bought a red bicycle.",
    "The soup needs a little more salt.",
    "He left his umbrella on the bus.",
    "The garden looks lovely in spring.",
]


@pytest.fixture(scope="module")
def manifest(tmp_path_factory):
    """Two 'emotions' rendered by RHVoice: excited (high, fast) and gloomy (low, slow)."""
    folder = tmp_path_factory.mktemp("judge")
    styles = {
        "excited": ("+40%", "140%", [0.8, 0.4, 0.6]),
        "gloomy": ("-30%", "70%", [-0.6, -0.4, -0.6]),
    }
    rows = []
    for label, (pitch, rate, adv) in styles.items():
        for i, text in enumerate(TEXTS):
            name = f"{label}{i}.wav"
            rhvoice(prosody(text, pitch, rate), folder / name, ssml=True)
            rows.append(
                {
                    "id": f"{label}{i}",
                    "audio": name,
                    "text": text,
                    "speaker": "slt",
                    "emotion": label,
                    "adv": adv,
                    "intensity": 1.0,
                    "split": "judge" if i < 6 else "test",
                }
            )
    path = folder / "manifest.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    return path


@needs_rhvoice
def test_judge_fits_saves_loads_and_separates(manifest, tmp_path):
    from emotts.eval.audio import load_mono
    from emotts.eval.features import FEATURE_RATE, EgemapsExtractor
    from emotts.eval.judge_fit import fit_from_manifest
    from emotts.eval.manifest import read_rows

    fitted = fit_from_manifest(manifest, tmp_path / "judge")
    assert fitted.metrics["holdout"]["accuracy"] >= 0.75
    assert sorted(p.name for p in (tmp_path / "judge").iterdir()) == ["judge.json", "judge.npz"]
    judge = EmotionJudge.load(tmp_path / "judge")
    assert judge.labels == ["excited", "gloomy"]
    extractor = EgemapsExtractor()
    test_rows = read_rows(manifest, ("test",))
    features = np.stack(
        [extractor(load_mono(r.audio, FEATURE_RATE), FEATURE_RATE) for r in test_rows]
    )
    assert judge.predict_labels(features) == [r.emotion for r in test_rows]
    np.testing.assert_allclose(judge.probabilities(features), fitted.probabilities(features))
    arousal = judge.predict_adv(features)[:, 0]
    excited = np.array([r.emotion == "excited" for r in test_rows])
    assert arousal[excited].min() > arousal[~excited].max()


def test_load_rejects_non_judge_folder(tmp_path):
    with pytest.raises(ConfigError, match="judge-fit"):
        EmotionJudge.load(tmp_path)


def test_emotion_metrics_known_answers():
    assert confusion_matrix(np.array([0, 0, 1]), np.array([0, 1, 1]), 2).tolist() == [
        [1, 1],
        [0, 1],
    ]
    assert spearman([0, 0.5, 1, 1.5], [0.1, 0.2, 0.4, 0.9]) == pytest.approx(1.0)
    labels = ["neutral", "happy", "sad"]
    probs = np.array([[0.1, 0.2, 0.7], [0.2, 0.3, 0.5], [0.4, 0.35, 0.25]])
    rho = intensity_monotonicity(["sad"] * 3, [1.5, 1.0, 0.5], probs, labels)
    assert rho["sad"] == pytest.approx(1.0)
    blend = blend_recognition([("happy", "sad"), ("happy", "sad")], probs[:2], labels)
    assert blend == {"n": 2, "rate": 1.0}


def test_blend_rise_over_neutral():
    labels = ["neutral", "happy", "sad", "angry"]
    neutral = np.array([[0.7, 0.1, 0.1, 0.1]] * 3)
    blends = np.array(
        [
            [0.2, 0.5, 0.2, 0.1],  # happy +0.4, sad +0.1: both rise (judge top two fails)
            [0.1, 0.8, 0.05, 0.05],  # sad falls: only one component
            [0.3, 0.2, 0.1, 0.4],  # happy+angry: both rise
        ]
    )
    pure = [{"happy": np.array([0.1, 0.9, 0.0, 0.0])}, {}, {}]
    result = blend_rise(
        [("happy", "sad"), ("happy", "sad"), ("happy", "angry")], blends, neutral, labels, pure
    )
    assert result["n"] == 3 and result["both_rise_rate"] == pytest.approx(2 / 3)
    pair = result["by_pair"]["happy+sad"]
    assert pair["rise"] == pytest.approx({"happy": 0.55, "sad": 0.025})
    assert pair["both_rise_rate"] == 0.5
    # happy rose 0.4 in the blend against 0.8 when asked alone: half of the pure rise.
    assert pair["share_of_pure"] == {"happy": pytest.approx(0.5), "sad": None}
    assert result["by_pair"]["happy+angry"]["both_rise_rate"] == 1.0
    # Only judged labels count; none left gives an explicit empty result.
    assert blend_rise([("calm", "sad")], blends[:1], neutral[:1], labels)["n"] == 0
