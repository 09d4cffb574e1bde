"""Truth keys of synthetic manifests, judge fitting with ADV-only rows, ceiling summaries."""

import json

import numpy as np
import pytest

from emotts.eval.ceiling import balanced_subset
from emotts.eval.evaluate import summarize
from emotts.eval.judge import BUNDLED_JUDGE, EmotionJudge, fit_judge, resolve_judge_path
from emotts.eval.judge_fit import adv_target
from emotts.eval.manifest import read_rows
from emotts.eval.report import write_report
from emotts.eval.summary import intensity_level


def _write(tmp_path, rows):
    path = tmp_path / "manifest.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    return path


def test_manifest_prefers_truth_keys(tmp_path):
    base = {"audio": "a.wav", "text": "t", "split": "judge"}
    path = _write(
        tmp_path,
        [
            # label-only: ADV withheld, truth present
            base
            | {"id": "l", "emotion": "sad", "adv": None, "intensity": 0.8}
            | {"true_emotion": "sad", "true_adv": [-0.2, -0.3, -0.5], "true_intensity": 0.8},
            # ADV-only with a hidden label
            base
            | {"id": "a", "emotion": None, "adv": [0.5, 0.4, 0.8], "intensity": None}
            | {"true_emotion": "happy", "true_adv": [0.5, 0.4, 0.8], "true_intensity": 1.0},
            # continuous: no label even in the truth
            base | {"id": "c", "emotion": None, "adv": [0.1, 0.2, 0.3], "true_emotion": None},
            # a real corpus without truth keys
            base | {"id": "r", "emotion": "angry", "adv": None, "intensity": 0.5},
        ],
    )
    rows = {r.id: r for r in read_rows(path)}
    assert rows["l"].adv == (-0.2, -0.3, -0.5)
    assert rows["a"].emotion == "happy" and rows["a"].intensity == 1.0
    assert rows["c"].emotion is None and rows["c"].adv == (0.1, 0.2, 0.3)
    assert rows["r"].emotion == "angry" and rows["r"].adv is None
    prototypes = {"angry": (0.6, 0.2, -0.5)}
    assert adv_target(rows["r"], prototypes) == pytest.approx((0.3, 0.1, -0.25))


def test_judge_learns_adv_from_unlabelled_rows():
    rng = np.random.default_rng(0)
    n = 120
    arousal = rng.uniform(-1, 1, n)
    features = np.column_stack([arousal + 0.05 * rng.normal(size=n), rng.normal(size=(n, 4))])
    labels = [("high" if a > 0 else "low") if i < 60 else None for i, a in enumerate(arousal)]
    adv = [(a, 0.0, 0.0) if i >= 30 else None for i, a in enumerate(arousal)]
    judge = fit_judge(features, [f"f{i}" for i in range(5)], labels, adv)
    assert judge.labels == ["high", "low"]
    assert judge.metrics["n_labelled_rows"] == 60 and judge.metrics["n_adv_rows"] == 90
    holdout = judge.metrics["holdout"]
    assert holdout["n"] == 15 and holdout["accuracy"] > 0.8
    assert holdout["adv_pearson"]["arousal"] > 0.9
    assert judge.predict_adv(np.array([[0.7, 0, 0, 0, 0]]))[0, 0] > 0.4


def test_intensity_levels_group_continuous_intensities():
    assert [intensity_level(i) for i in (0.0, 0.5, 0.74, 0.75, 1.0, 1.24, 1.3, 1.5)] == [
        0.0, 0.5, 0.5, 1.0, 1.0, 1.0, 1.5, 1.5,
    ]  # fmt: skip


def _record(label, intensity, p_happy, adv=None):
    return {
        "id": f"{label}{intensity}",
        "kind": "label" if label else "recording",
        "text": "x",
        "label": label,
        "intensity": intensity,
        "adv": adv,
        "words": 3,
        "word_errors": 0,
        "chars": 10,
        "char_errors": 0,
        "dnsmos": {"sig": 3.0, "bak": 4.0, "ovrl": 3.0, "p808": 3.0},
        "judged_probabilities": {"neutral": 1 - p_happy, "happy": p_happy},
        "judged_adv": {"arousal": p_happy, "dominance": 0.0, "valence": 0.0},
    }


def test_ceiling_summary_and_copy_plots(tmp_path):
    labels = ["neutral", "happy"]
    records = [
        _record("happy", 0.62, 0.55, (0.3, 0.3, 0.5)),
        _record("happy", 0.93, 0.7, (0.5, 0.4, 0.8)),
        _record("happy", 1.41, 0.9, (0.7, 0.6, 1.1)),
        _record("neutral", 1.2, 0.2, (0.0, 0.0, 0.0)),
        _record(None, 1.0, 0.4, (0.2, -0.5, 0.1)),
    ]
    emotion = summarize(records, labels)["emotion"]
    assert emotion["accuracy_all"]["n"] == 4 and emotion["accuracy_all"]["accuracy"] == 1.0
    assert emotion["accuracy_at_intensity_1"]["n"] == 2  # 0.93 and 1.2
    assert set(emotion["accuracy_by_intensity"]) == {"0.5", "1", "1.5"}
    assert emotion["intensity_monotonicity"]["happy"] == pytest.approx(1.0)
    report = {
        "meta": {"copy_synthesis": "hifigan-universal"},
        "summary": summarize(records, labels),
        "items": records,
        "copy_synthesis": {"summary": summarize(records, labels), "items": records},
    }
    write_report(report, tmp_path, confusion_key="accuracy_all")
    names = {p.name for p in tmp_path.iterdir()}
    assert {"confusion.png", "copy_confusion.png", "copy_adv_scatter.png"} <= names
    assert "copy_confusion.png" in (tmp_path / "report.md").read_text()


def test_balanced_subset_covers_every_label(tmp_path):
    rows = [{"id": f"s{i}", "audio": "a.wav", "text": "t", "emotion": "sad"} for i in range(8)]
    rows += [{"id": "h0", "audio": "a.wav", "text": "t", "emotion": "happy"}]
    rows += [{"id": f"c{i}", "audio": "a.wav", "text": "t", "emotion": None} for i in range(3)]
    read = read_rows(_write(tmp_path, rows))
    chosen = balanced_subset(read, 5)
    assert [r.id for r in chosen] == ["s0", "s1", "h0", "c0", "c1"]  # manifest order kept
    assert balanced_subset(read, None) == read and balanced_subset(read, 99) == read


def test_bundled_judge_is_default_and_small():
    assert resolve_judge_path(None) == BUNDLED_JUDGE
    assert resolve_judge_path("none") is None and str(resolve_judge_path("j")) == "j"
    size = sum(p.stat().st_size for p in BUNDLED_JUDGE.iterdir())
    assert size < 200_000
    judge = EmotionJudge.load(BUNDLED_JUDGE)
    assert "fearful" in judge.labels and judge.adv_coef is not None
    assert judge.metrics["holdout"]["accuracy"] > 0.6
