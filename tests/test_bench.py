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
    # A regression voice has one acoustic cost: no guided variants.
    assert result["acoustic_cpu_rtf"] > 0 and result["guided_cpu_rtf"] is None


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


def test_bench_flow_voice_onnx_times_guidance(tmp_path):
    """A flow voice on onnxruntime: CPU-time RTF unguided, guided (2 passes), + avoid (3)."""
    from emotts.bench import measure
    from emotts.onnx.export import export_voice

    voice = make_untrained_voice(tmp_path / "voice", "tiny", decoder={"type": "flow"})
    onnx_dir = export_voice(voice, tmp_path / "onnx").directory
    result = measure("onnx", onnx_dir, 1, ["Hello there.", "A second short line."])
    assert result.acoustic_cpu_rtf > 0
    assert result.guided_cpu_rtf is not None and result.avoid_cpu_rtf is not None
    # Three network passes per step cost more CPU than one (not a ratio: tiny graphs carry
    # fixed per-call overhead).
    assert result.avoid_cpu_rtf > result.acoustic_cpu_rtf
