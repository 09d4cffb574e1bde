"""Grid building, synthesis through the Voice contract (with a stand-in voice), report, CLI."""

import argparse
import json
from types import SimpleNamespace

import numpy as np
import pytest
import soundfile as sf

from emotts.cli.eval import register
from emotts.eval import grid
from emotts.eval.evaluate import read_sentences, summarize
from emotts.eval.report import write_report


class FakeVoice:
    """Honours the Voice contract: synthesize(text, emotion=, duration=) -> Audio-like."""

    labels = ["neutral", "happy", "sad"]

    def synthesize(self, text, emotion=None, duration=None, **_):
        rate = 16000
        seconds = duration if duration is not None else 0.05 * len(text)
        t = np.arange(int(seconds * rate)) / rate
        samples = (0.1 * np.sin(2 * np.pi * 200 * t)).astype(np.float32)
        return SimpleNamespace(
            samples=samples, sample_rate=rate, save=lambda path: sf.write(path, samples, rate)
        )


def test_bundled_sentences():
    sentences = read_sentences(None)
    assert 35 <= len(sentences) <= 45 and len(set(sentences)) == len(sentences)


def test_quick_grid_covers_every_kind():
    items = grid.build_grid(["One.", "Two."], FakeVoice.labels, grid.GridConfig.quick())
    kinds = {item.kind for item in items}
    assert kinds == {"label", "adv", "blend", "duration"}
    assert len({item.id for item in items}) == len(items)
    assert sum(item.kind == "adv" for item in items) == 9
    blend = next(item for item in items if item.kind == "blend")
    assert blend.mix == {"happy": 0.5, "sad": 0.5}


def test_synthesize_grid_and_timing(tmp_path, monkeypatch):
    monkeypatch.setattr(grid, "emotion_spec", lambda item: None)  # EmotionSpec not needed here
    items = grid.build_grid(["A short sentence."], FakeVoice.labels, grid.GridConfig.quick())
    renderings = grid.synthesize_grid(FakeVoice(), items, tmp_path)
    timed = [r for r in renderings if r.requested_duration is not None]
    assert len(timed) == 2 and all(abs(r.duration - r.requested_duration) < 1e-3 for r in timed)
    assert all(r.path.is_file() for r in renderings)


def test_report_files(tmp_path):
    labels = ["neutral", "happy"]
    items = [
        {
            "id": f"i{k}",
            "kind": "label",
            "text": "x",
            "label": lab,
            "intensity": inten,
            "adv": None,
            "mix": None,
            "words": 3,
            "word_errors": 0,
            "chars": 10,
            "char_errors": 1,
            "dnsmos": {"sig": 3.0, "bak": 4.0, "ovrl": 3.0, "p808": 3.0},
            "judged_probabilities": {"neutral": p, "happy": 1 - p},
            "judged_adv": {"arousal": inten, "dominance": 0.0, "valence": 0.0},
            "produced_duration": 1.0,
            "requested_duration": None,
        }
        for k, (lab, inten, p) in enumerate(
            [("neutral", 1.0, 0.8), ("happy", 0.5, 0.6), ("happy", 1.0, 0.3), ("happy", 1.5, 0.1)]
        )
    ]
    blend = {
        **items[1],
        "id": "b",
        "kind": "blend",
        "label": None,
        "intensity": 1.0,
        "mix": {"happy": 0.5, "neutral": 0.5},
        "judged_probabilities": {"neutral": 0.5, "happy": 0.5},
    }
    items.append(blend)
    report = {"meta": {"voice": "fake"}, "summary": summarize(items, labels), "items": items}
    write_report(report, tmp_path)
    saved = json.loads((tmp_path / "report.json").read_text())
    emotion = saved["summary"]["emotion"]
    assert emotion["accuracy_at_intensity_1"]["accuracy"] == 1.0
    assert emotion["intensity_monotonicity"]["happy"] == pytest.approx(1.0)
    # The blend is compared with the neutral and the intensity-1 happy rendering of its text.
    rise = emotion["blend_rise"]["by_pair"]["happy+neutral"]
    assert rise["rise"]["happy"] == pytest.approx(0.5 - 0.2)
    assert rise["share_of_pure"]["happy"] == pytest.approx(0.3 / 0.5)
    assert saved["summary"]["intelligibility"]["overall"]["wer"] == 0.0
    assert {"confusion.png", "intensity_curves.png"} <= {p.name for p in tmp_path.iterdir()}
    assert "## emotion" in (tmp_path / "report.md").read_text()


def test_cli_registers_commands():
    parser = argparse.ArgumentParser(prog="emotts")
    register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["eval", "judge-fit", "--manifest", "m.jsonl", "--out", "j"])
    assert args.func.__name__ == "_run_judge_fit" and args.splits == ("judge",)
    args = parser.parse_args(["eval", "--voice", "v", "--out", "o", "--quick"])
    assert args.quick and args.out == "o"
    args = parser.parse_args(
        ["eval", "ceiling", "--manifest", "m", "--out", "c", "--splits", "test,val"]
    )
    assert args.splits == ("test", "val") and args.copy_synthesis is None


@pytest.mark.slow
def test_run_evaluation_end_to_end(tmp_path, monkeypatch):
    from emotts.eval import evaluate

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(grid, "emotion_spec", lambda item: None)
    monkeypatch.setattr(evaluate, "load_voice", lambda path, vocoder=None: FakeVoice())
    sentences = tmp_path / "s.txt"
    sentences.write_text("One short line.\nAnother short line.\n")
    report = evaluate.run_evaluation("fake", sentences, tmp_path / "out", quick=True)
    assert report["summary"]["timing"]["mean_abs_error_s"] < 1e-3
    assert report["summary"]["speaker"]["speaker_to_neutral"] > 0.5
    assert (tmp_path / "out" / "report.md").is_file()
