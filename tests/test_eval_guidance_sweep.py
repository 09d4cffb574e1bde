"""The guidance sweep of `emotts eval` and the resumable item cache.

The sweep runs end to end through `run_evaluation` with a stand-in flow voice that renders
each label as its own tone (louder with guidance w, quieter when avoided) and a stand-in judge
that *measures* the tones in the audio: the sweep's item building, seeding, summary
(rising curves, Spearman, avoid drops), plot and the cache are the real code. Whisper, DNSMOS
and the eGeMAPS judge are what is stubbed: they are not what is tested here.
"""

from types import SimpleNamespace

import numpy as np
import pytest
import soundfile as sf

from emotts.errors import ConfigError
from emotts.eval import evaluate, grid
from emotts.eval.guidance import build_sweep, check_weights, partner, rises, sweep_summary
from emotts.eval.item_cache import ItemCache

LABELS = ["neutral", "happy", "sad", "surprised"]
RATE = 16000
TONES = {label: 300.0 + 150.0 * k for k, label in enumerate(LABELS)}


class ToneFlowVoice:
    """Label k is a tone at TONES[k]; the requested label's amplitude grows with w (except
    ``saturating``, which falls above w = 1), every other label leaks in quietly, and the
    avoided one leaks in less."""

    labels = LABELS
    decoder_type = "flow"

    def __init__(self, saturating: str | None = None) -> None:
        self.saturating = saturating
        self.calls = []

    def synthesize(self, text, emotion=None, duration=None, **kwargs):
        self.calls.append(kwargs)
        label = emotion[0] if emotion else "neutral"
        w = kwargs.get("guidance", 1.0)
        seconds = duration if duration is not None else 0.5
        t = np.arange(int(seconds * RATE)) / RATE
        samples = np.zeros_like(t)
        for name, freq in TONES.items():
            if name == label:
                gain = 0.05 * (1 + (w if name != self.saturating or w <= 1 else 2 - w))
            else:
                gain = (
                    0.02 / (1 + kwargs["avoid_guidance"]) if name == kwargs.get("avoid") else 0.02
                )
            samples += gain * np.sin(2 * np.pi * freq * t)
        samples = samples.astype(np.float32)
        return SimpleNamespace(
            samples=samples, sample_rate=RATE, save=lambda path: sf.write(path, samples, RATE)
        )


def tone_probabilities(samples: np.ndarray) -> dict[str, float]:
    """Each label's share of the tone amplitudes measured in the spectrum."""
    spectrum = np.abs(np.fft.rfft(samples))
    freqs = np.fft.rfftfreq(len(samples), 1 / RATE)
    amps = {k: spectrum[np.argmin(np.abs(freqs - f))] for k, f in TONES.items()}
    total = sum(amps.values())
    return {k: float(v / total) for k, v in amps.items()}


def stub_score(judges, samples, sample_rate, text):
    return {
        "transcript": text,
        "word_errors": 0,
        "words": len(text.split()),
        "char_errors": 0,
        "chars": len(text),
        "wer": 0.0,
        "cer": 0.0,
        "dnsmos": {"sig": 3.0, "bak": 4.0, "ovrl": 3.0, "p808": 3.0},
        "judged_probabilities": tone_probabilities(samples),
    }


@pytest.fixture
def stubbed(monkeypatch):
    judges = SimpleNamespace(
        speaker=SimpleNamespace(embed=lambda s, r: np.array([1.0, float(np.std(s))])),
        whisper=None,
        emotion=SimpleNamespace(labels=LABELS, metrics={}),
    )
    monkeypatch.setattr(evaluate.Judges, "load", classmethod(lambda cls, path: judges))
    monkeypatch.setattr(evaluate, "score_audio", stub_score)
    monkeypatch.setattr(evaluate, "judge_say_as", lambda *a, **k: [])
    monkeypatch.setattr(grid, "emotion_spec", lambda item: (item.label, item.intensity))


def run(tmp_path, voice, monkeypatch, **kwargs):
    monkeypatch.setattr(evaluate, "load_voice", lambda path, vocoder=None: voice)
    sentences = tmp_path / "s.txt"
    sentences.write_text("One short line.\nAnother short line.\n")
    return evaluate.run_evaluation(
        "tone", sentences, tmp_path / "out", quick=True, judge_path="stub", **kwargs
    )


def test_sweep_rises_and_avoid_lowers(tmp_path, monkeypatch, stubbed):
    voice = ToneFlowVoice(saturating="sad")
    report = run(tmp_path, voice, monkeypatch, guidance_sweep=(0, 1, 2, 3), sweep_sentences=2)
    sweep = report["summary"]["guidance_sweep"]
    assert sweep["weights"] == [0.0, 1.0, 2.0, 3.0]
    for label in ("neutral", "happy", "surprised"):
        row = sweep["by_label"][label]
        assert row["rises"] and row["spearman"] == pytest.approx(1.0) and row["n"] == 8
        means = [row["mean_probability"][w] for w in ("0", "1", "2", "3")]
        assert means == sorted(means) and means[-1] > means[0] + 0.1
    # sad peaks at w = 1 and falls: the summary must say so, not round it up.
    assert not sweep["by_label"]["sad"]["rises"] and sweep["labels_rising"] == 3
    for label, row in sweep["avoid"].items():
        assert row["asked"] == partner(label, LABELS) and row["n"] == 2
        assert row["lowered"] and row["drop"] > 0 and row["lowered_share"] == 1.0
    assert sweep["avoid_lowered"] == 4
    # Sweep items never enter the grid's figures; the plot is written and linked.
    assert report["summary"]["intelligibility"]["overall"]["n"] == sum(
        r["kind"] not in ("guidance", "avoid") for r in report["items"]
    )
    out = tmp_path / "out"
    assert (out / "guidance_sweep.png").stat().st_size > 1000
    assert "guidance_sweep.png" in (out / "report.md").read_text()
    # One seed per sentence, shared by every w: only guidance differs inside a sentence.
    sweep_calls = [c for c in voice.calls if "guidance" in c]
    assert {c["seed"] for c in sweep_calls} == {1000, 1001}


def test_run_resumes_and_refuses_other_settings(tmp_path, monkeypatch, stubbed):
    first = ToneFlowVoice()
    run(tmp_path, first, monkeypatch)
    assert len(first.calls) > 20
    # Same settings: nothing is rendered again; adding the sweep renders only the sweep.
    again = ToneFlowVoice()
    report = run(tmp_path, again, monkeypatch)
    assert again.calls == []
    assert report["summary"]["speaker"]["speaker_to_neutral"] is not None
    more = ToneFlowVoice()
    run(tmp_path, more, monkeypatch, guidance_sweep=(0, 1), sweep_sentences=1)
    assert len(more.calls) == 2 * len(LABELS) + len(LABELS)
    assert all("guidance" in c for c in more.calls)
    with pytest.raises(ConfigError, match="raw_intensity: stored False, now True"):
        run(tmp_path, ToneFlowVoice(), monkeypatch, raw_intensity=True)


def test_raw_intensity_reaches_the_voice(tmp_path, monkeypatch, stubbed):
    voice = ToneFlowVoice()
    report = run(tmp_path, voice, monkeypatch, raw_intensity=True)
    assert voice.calls and all(c.get("raw_intensity") is True for c in voice.calls)
    assert report["meta"]["raw_intensity"] is True


def test_sweep_needs_a_flow_voice(tmp_path, monkeypatch, stubbed):
    voice = ToneFlowVoice()
    voice.decoder_type = "convnext"
    with pytest.raises(ConfigError, match="needs a flow-matching voice.*convnext"):
        run(tmp_path, voice, monkeypatch, guidance_sweep=(0, 1, 2))


def test_cache_reuses_only_the_same_request(tmp_path):
    cache = ItemCache(tmp_path, {"voice": "v"})
    item = grid.GridItem("g-s00-happy-w2", "guidance", "Hi.", "happy", guidance=2.0, seed=1000)
    cache.add(item.to_dict() | {"wer": 0.0})
    reopened = ItemCache(tmp_path, {"voice": "v"})
    assert reopened.get(item.to_dict())["wer"] == 0.0
    changed = grid.GridItem("g-s00-happy-w2", "guidance", "Other.", "happy", guidance=2.0)
    assert reopened.get(changed.to_dict()) is None
    # A half-written last line (a killed run) is skipped, not fatal.
    with (tmp_path / "items.jsonl").open("a") as handle:
        handle.write('{"id": "broken"')
    assert ItemCache(tmp_path, {"voice": "v"}).get(item.to_dict()) is not None


def test_sweep_items_and_checks():
    items = build_sweep(["A.", "B."], LABELS, (0, 1, 2, 3), avoid_guidance=2)
    assert len({i.id for i in items}) == len(items) == 2 * (4 * 4 + 4)
    avoid = [i for i in items if i.kind == "avoid"]
    assert {(i.label, i.avoid) for i in avoid} == {
        ("surprised", "happy"),
        ("happy", "surprised"),
        ("neutral", "sad"),
        ("sad", "neutral"),
    }
    assert all(i.avoid_guidance == 2 and i.guidance == 1.0 for i in avoid)
    assert partner("angry", ["angry", "disgusted", "happy"]) == "disgusted"
    assert check_weights([3, 0, 1, 1]) == (0.0, 1.0, 3.0)
    with pytest.raises(ConfigError, match="must include 1"):
        check_weights([0, 2])
    with pytest.raises(ConfigError, match="at least two"):
        check_weights([1])
    with pytest.raises(ConfigError, match="no partner label"):
        partner("happy", ["happy"])
    assert rises([0.1, 0.2, 0.3]) and not rises([0.1, 0.3, 0.3]) and not rises([0.2])


def test_sweep_summary_of_flat_and_falling_curves():
    def record(label, w, p, text="A."):
        probs = {k: (p if k == label else (1 - p) / 3) for k in LABELS}
        return {
            "kind": "guidance",
            "text": text,
            "label": label,
            "guidance": w,
            "judged_probabilities": probs,
            "word_errors": 1,
            "words": 4,
            "dnsmos": {"ovrl": 3.0},
        }

    rows = [record("happy", w, p) for w, p in [(0, 0.4), (1, 0.3), (2, 0.2)]]
    rows += [record("sad", w, 0.5) for w in (0, 1, 2)]
    summary = sweep_summary(rows)
    assert summary["by_label"]["happy"]["spearman"] == pytest.approx(-1.0)
    assert summary["by_label"]["sad"]["spearman"] is None  # constant: undefined, not 0
    assert summary["labels_rising"] == 0 and summary["avoid"] == {}
    assert summary["by_weight"]["2"]["wer"] == pytest.approx(0.25)


def test_grid_sentences_and_only_are_parts_of_the_bigger_run(tmp_path, monkeypatch, stubbed):
    small = ToneFlowVoice()
    report = run(tmp_path, small, monkeypatch, grid_sentences=1, only=("label",))
    assert {r["kind"] for r in report["items"]} == {"label"}
    assert {r["text"] for r in report["items"]} == {"One short line."}
    assert report["meta"]["grid_sentences"] == 1 and report["say_as"] == []
    # The whole quick grid afterwards renders only what the small run lacked.
    rest = ToneFlowVoice()
    full = run(tmp_path, rest, monkeypatch)
    assert len(rest.calls) < len(full["items"]) and len(full["items"]) - len(
        report["items"]
    ) <= len(rest.calls)
    with pytest.raises(ConfigError, match="unknown kind; accepted: label"):
        run(tmp_path, ToneFlowVoice(), monkeypatch, only=("labels",))
