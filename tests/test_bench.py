"""`emotts bench` on a tiny untrained voice (plumbing only: the figures are not checked)."""

from __future__ import annotations

import json

import pytest

from emotts.bench import read_sentences
from emotts.cli import main
from emotts.models.untrained import make_untrained_voice


def test_bench_torch_one_thread_writes_json(tmp_path, capsys):
    voice = make_untrained_voice(tmp_path / "voice", "tiny")
    sentences = tmp_path / "sentences.txt"
    sentences.write_text("# comment\nHello.\nHi.\n", encoding="utf-8")
    assert read_sentences(sentences) == ["Hello.", "Hi."]
    report = tmp_path / "bench.json"
    args = [
        "bench",
        "--voice",
        str(voice),
        "--backends",
        "torch",
        "--threads",
        "1",
        "--sentences",
        str(sentences),
        "--json",
        str(report),
    ]
    assert main(args) == 0
    assert "acoustic RTF" in capsys.readouterr().out
    (result,) = json.loads(report.read_text())["results"]
    assert result["backend"] == "torch" and result["threads"] == 1
    assert result["audio_s"] > 0 and 0 < result["first_mel_s"] <= result["first_audio_s"]
    assert result["peak_rss_mb"] > 50


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--backends", "tensorflow", "accepted: one or more of torch"),
        ("--threads", "0", "positive integers"),
    ],
)
def test_bench_rejects_bad_options(option, value, message, capsys):
    assert main(["bench", option, value]) == 2
    assert message in capsys.readouterr().err
