"""`emotts eval speakers`: within- against cross-speaker similarity, and its errors."""

from __future__ import annotations

import json

import numpy as np
import pytest

from emotts.cli import main
from emotts.errors import ConfigError
from emotts.eval.distinct import distinctness
from emotts.models.untrained import make_untrained_voice


def _cluster(center: np.ndarray, n: int, spread: float, rng) -> list[np.ndarray]:
    return [center + spread * rng.standard_normal(center.shape) for _ in range(n)]


def test_separated_speakers_have_a_positive_margin_and_merged_ones_none():
    rng = np.random.default_rng(0)
    centers = np.eye(4, 16)  # four orthogonal speaker directions
    apart = distinctness({f"s{i}": _cluster(c, 5, 0.05, rng) for i, c in enumerate(centers)})
    assert apart["mean_within"] > 0.95 and abs(apart["mean_cross"]) < 0.1
    assert apart["margin"] == pytest.approx(apart["mean_within"] - apart["mean_cross"])
    assert apart["margin"] > 0.85
    # Two names for one speaker: their cross similarity is as high as within, and they are
    # reported as the closest pair.
    same = _cluster(centers[0], 10, 0.05, rng)
    merged = distinctness({"a": same[:5], "b": same[5:], "c": _cluster(centers[1], 5, 0.05, rng)})
    assert merged["closest_pair"] == ["a", "b"]
    assert merged["cross"]["a"]["b"] > 0.95


def test_pairs_never_join_the_same_sentence():
    # Sentence i of every speaker is the same vector: only different-sentence pairs count, so
    # cross similarity stays at the level of different sentences.
    rng = np.random.default_rng(1)
    sentences = [rng.standard_normal(8) for _ in range(3)]
    result = distinctness({"a": sentences, "b": sentences})
    assert result["cross"]["a"]["b"] == pytest.approx(result["within"]["a"])


@pytest.mark.parametrize(
    ("embeddings", "needle"),
    [
        ({"a": [np.ones(3), np.ones(3)]}, "at least two speakers"),
        ({"a": [np.ones(3)], "b": [np.ones(3), np.ones(3)]}, "at least 2 needed"),
    ],
)
def test_too_little_data_is_a_clear_error(embeddings, needle):
    with pytest.raises(ConfigError, match=needle):
        distinctness(embeddings)


def test_cli_renders_each_speaker_and_writes_json_and_plot(tmp_path, capsys):
    voice = make_untrained_voice(
        tmp_path / "voice",
        "tiny",
        frames_per_phoneme=5.0,
        speakers=("ann", "bob", "cy"),
        vocoder="griffinlim",
    )
    out = tmp_path / "out"
    assert (
        main(["eval", "speakers", "--voice", str(voice), "--out", str(out), "--sentences", "2"])
        == 0
    )
    result = json.loads((out / "speakers.json").read_text())
    assert result["speakers"] == ["ann", "bob", "cy"]
    assert set(result["cross"]["ann"]) == {"bob", "cy"}
    assert (out / "speakers.png").stat().st_size > 1000
    assert "margin" in capsys.readouterr().out


def test_cli_errors(tmp_path, tiny_corpus, capsys):
    one = make_untrained_voice(tmp_path / "one", "tiny", speakers=("solo",), vocoder="griffinlim")
    cases = [
        (["--out", str(tmp_path)], "either --voice"),
        (["--voice", str(one), "--out", str(tmp_path)], "has one speaker (solo)"),
        (["--manifest", str(tiny_corpus), "--out", str(tmp_path)], "at least two speakers"),
        (["--voice", str(one), "--out", str(tmp_path), "--sentences", "1"], "at least 2"),
    ]
    for args, needle in cases:
        assert main(["eval", "speakers", *args]) != 0
        assert needle in capsys.readouterr().err
