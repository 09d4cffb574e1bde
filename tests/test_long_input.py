"""Long input: `stream()` prepares text lazily, `synthesize_parts` / `emotts synth -o` write
progressively, and memory does not grow with the input's length.

The memory figures are measured in subprocesses (peak RSS of `emotts synth -o`, and RSS
sampled during a short `stream()` soak), so nothing of the test process is counted.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile

from emotts.backends.torch_voice import Voice
from emotts.cli import main
from emotts.models.untrained import make_untrained_voice
from emotts.text import phonemize
from emotts.text.frontend import PHONEMIZE_WORDS

SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"
SENTENCE = "The quick brown fox jumps over the lazy dog near the river bank."


def _script(name: str):
    spec = importlib.util.spec_from_file_location(name, SCRIPTS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def voice_dir(tmp_path_factory) -> Path:
    return make_untrained_voice(
        tmp_path_factory.mktemp("voice"), "tiny", frames_per_phoneme=4.0, vocoder="vocos-emotts"
    )


@pytest.fixture(scope="module")
def voice(voice_dir) -> Voice:
    return Voice.load(voice_dir)


def test_stream_prepares_the_text_lazily(voice, monkeypatch) -> None:
    """Before the first audio, only the first phonemizer batch of a 200-sentence text is
    phonemized; the rest is phonemized as the stream reaches it."""
    calls: list[int] = []
    real = phonemize.Phonemizer.phonemize_words_flagged

    def spy(self, words):
        calls.append(len(words))
        return real(self, words)

    monkeypatch.setattr(phonemize.Phonemizer, "phonemize_words_flagged", spy)
    text = " ".join([SENTENCE] * 200)
    stream = voice.stream(text)
    first = next(stream)
    assert len(first.samples) > 0
    assert len(calls) == 1 and calls[0] <= PHONEMIZE_WORDS + 13  # one batch, whole sentences
    pieces = 1 + sum(1 for _ in stream)
    assert sum(calls) == 13 * 200  # every word exactly once
    assert len(calls) > 20
    assert pieces >= 200


def test_stream_still_refuses_bad_characters_before_any_audio(voice) -> None:
    from emotts.errors import TextError

    text = " ".join([SENTENCE] * 50) + " Greek Ω here."
    with pytest.raises(TextError, match="position"):
        voice.stream(text)  # raised by the call itself, not at the 50th sentence


def test_synthesize_parts_join_to_synthesize(voice) -> None:
    text = " ".join([SENTENCE] * 20)
    whole = voice.synthesize(text)
    parts = list(voice.synthesize_parts(text))
    assert len(parts) >= 20
    joined = np.concatenate([p.samples for p in parts])
    assert np.abs(joined - whole.samples).max() < 1e-5
    offset, words = 0.0, []
    for part in parts:
        words += [(w.word, round(w.start + offset, 6)) for w in part.words]
        offset += part.duration
    assert words == [(w.word, round(w.start, 6)) for w in whole.words]


def test_synth_output_is_written_progressively_and_matches(voice, voice_dir, tmp_path) -> None:
    text = " ".join([SENTENCE] * 12)
    out, timings = tmp_path / "out.wav", tmp_path / "t.json"
    assert (
        main(["synth", "-v", str(voice_dir), "-t", text, "-o", str(out), "--timings", str(timings)])
        == 0
    )
    written, rate = soundfile.read(out, dtype="float32")
    whole = voice.synthesize(text)
    assert rate == whole.sample_rate and len(written) == len(whole.samples)
    assert np.abs(written - np.clip(whole.samples, -1, 1)).max() < 2 / 32767
    data = json.loads(timings.read_text())
    assert [w["word"] for w in data["words"]] == [w.word for w in whole.words]
    assert data["duration"] == pytest.approx(whole.duration)
    assert set(tmp_path.iterdir()) == {out, timings}  # no temporary file left behind


def test_memory_does_not_grow_with_the_input_length(voice_dir) -> None:
    """Peak RSS of `emotts synth -o` on 1,000 and 6,000 characters without punctuation (one
    sentence, cut by the phoneme budget) differs by less than 30 MB. Before the budget and
    the progressive writing (main at 2c3c4eb) the same pair measured 814 and 1358 MB."""
    memory = _script("long_input_memory")
    small = memory.measure(1000, str(voice_dir), corpus=None, timeout=600)
    large = memory.measure(6000, str(voice_dir), corpus=None, timeout=600)
    assert small["exit_code"] == 0 and large["exit_code"] == 0, (small, large)
    assert large["audio_seconds"] > 5 * small["audio_seconds"]
    growth = large["peak_rss_mb"] - small["peak_rss_mb"]
    assert growth < 30, (small, large)


@pytest.mark.slow
def test_one_long_sentence_is_never_held_whole(voice_dir) -> None:
    """Issue 19: peak RSS of `emotts synth -o` on one sentence of 15,000 and of 60,000
    characters (no punctuation: 3,084 s of audio) differs by under 75 MB. On main before the
    window-by-window path (at 9a0d8d8) the pair measured 785.5 and 909.7 MB (+124.2 MB: the
    sentence's mel, joined, laid out and chunked); with it 754.4 and 805.9 MB (+51.5 MB).
    About 9 minutes on a loaded machine."""
    memory = _script("long_input_memory")
    small = memory.measure(15000, str(voice_dir), corpus=None, timeout=1800)
    large = memory.measure(60000, str(voice_dir), corpus=None, timeout=3600)
    assert small["exit_code"] == 0 and large["exit_code"] == 0, (small, large)
    assert large["audio_seconds"] > 3.5 * small["audio_seconds"]
    assert memory.peak_growth([small, large]) < 75, (small, large)


def _soak(tmp_path: Path, seconds: float, warmup: float, paced: bool, voice: str | None = None):
    summary = tmp_path / "summary.json"
    command = [
        sys.executable,
        str(SCRIPTS / "soak_stream.py"),
        "--seconds",
        str(seconds),
        "--warmup",
        str(warmup),
        "--sample-every",
        "1",
        "--summary",
        str(summary),
        "--csv",
        str(tmp_path / "rss.csv"),
    ]
    if not paced:
        command.append("--no-pace")
    if voice:
        command += ["--voice", voice]
    result = subprocess.run(command, capture_output=True, text=True, timeout=seconds * 2 + 600)
    assert summary.exists(), result.stderr[-2000:]
    return json.loads(summary.read_text()), result


@pytest.mark.skipif(
    not Path("/work/shared/corpora/ljspeech_transcripts.csv").exists(),
    reason="the soak's text comes from the LJSpeech transcripts",
)
def test_short_soak_memory_is_flat_and_audio_continuous(tmp_path) -> None:
    """30 s of the default voice streamed: after 10 s of warm-up, RSS grows by under 15 MB;
    no gap or click at any join; the timings' clock equals the samples streamed."""
    summary, result = _soak(tmp_path, 30, 10, paced=False)
    assert result.returncode == 0, summary
    assert summary["audio_seconds"] >= 30
    assert summary["joins"] >= 5
    assert summary["clicks"] == 0 and summary["gaps"] == 0
    assert summary["duration_matches"] and summary["words_monotone"]
    assert summary["rss_delta_after_warmup_mb"] < 15


@pytest.mark.slow
@pytest.mark.skipif(
    not Path("/work/shared/corpora/ljspeech_transcripts.csv").exists(),
    reason="the soak's text comes from the LJSpeech transcripts",
)
def test_one_hour_soak(tmp_path) -> None:
    """The full soak of docs/reliability.md: one hour paced at real time, RSS within 50 MB
    after a 5-minute warm-up."""
    summary, result = _soak(tmp_path, 3600, 300, paced=True)
    assert result.returncode == 0, summary
    assert summary["rss_delta_after_warmup_mb"] < 50
