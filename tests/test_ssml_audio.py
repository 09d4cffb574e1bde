"""SSML controls measured on the audio of the shipped default voice.

- A ``<break time="500ms"/>`` is a silence of 500 ms, within one frame, at that word boundary:
  silence is measured as the run of frames (hop-sized, on the mel grid) whose RMS is below
  -60 dBFS around the boundary. The words around it start and end in voiced sounds, so the
  run measures the break, not a stop closure that belongs to a word.
- ``<prosody pitch="+4st">`` raises the median F0 of the span's words by 4 semitones (within
  1) and leaves the median F0 of the words outside it (those not next to it) within 0.5 st.
- ``<prosody volume="-6dB">`` lowers the RMS of the span's words by 6 dB (within 1.5 dB)
  against the same text without it, and leaves the other words' RMS unchanged.
"""

from __future__ import annotations

import numpy as np
import pytest

from emotts.api import Voice
from emotts.audio.features import extract_f0

HOP = 256
SILENCE_DBFS = -60.0


@pytest.fixture(scope="module")
def voice() -> Voice:
    return Voice.load(backend="torch")


def _frame_rms_db(samples: np.ndarray) -> np.ndarray:
    frames = samples[: len(samples) // HOP * HOP].reshape(-1, HOP).astype(np.float64)
    return 10 * np.log10(np.maximum((frames**2).mean(axis=1), 1e-20))


def _silent_run_seconds(samples: np.ndarray, at: float, rate: int) -> float:
    """Length of the run of silent frames that contains time ``at``."""
    quiet = _frame_rms_db(samples) < SILENCE_DBFS
    centre = int(at * rate / HOP)
    assert quiet[centre], "no silence at the break"
    start = end = centre
    while start > 0 and quiet[start - 1]:
        start -= 1
    while end < len(quiet) and quiet[end]:
        end += 1
    return (end - start) * HOP / rate


def _rms_db(samples: np.ndarray, start: float, end: float, rate: int) -> float:
    part = samples[int(start * rate) : int(end * rate)].astype(np.float64)
    return 10 * np.log10((part**2).mean())


def test_break_is_a_silence_of_its_length_at_the_word_boundary(voice) -> None:
    audio = voice.synthesize('<speak>We say no <break time="500ms"/> and we leave.</speak>')
    words = {w.word: w for w in audio.words}
    [pause] = audio.breaks
    assert pause.start == pytest.approx(words["no"].end, abs=1e-9)
    assert pause.end == pytest.approx(words["and"].start, abs=1e-9)
    frame = HOP / audio.sample_rate
    measured = _silent_run_seconds(audio.samples, (pause.start + pause.end) / 2, audio.sample_rate)
    assert abs(measured - 0.5) <= frame, measured


def test_volume_span_lowers_its_words_by_six_db(voice) -> None:
    text = "We were going home along the river in the evening."
    plain = voice.synthesize(f"<speak>{text}</speak>")
    quiet = voice.synthesize(
        '<speak>We were going home <prosody volume="-6dB">along the river</prosody> in the '
        "evening.</speak>"
    )
    rate = plain.sample_rate
    span = {"along", "the", "river"}
    for before, after in zip(plain.words, quiet.words, strict=True):
        assert (before.word, before.start, before.end) == (after.word, after.start, after.end)
    inside = [w for w in quiet.words[4:7]]
    assert {w.word for w in inside} == span
    change = _rms_db(quiet.samples, inside[0].start, inside[-1].end, rate) - _rms_db(
        plain.samples, inside[0].start, inside[-1].end, rate
    )
    assert abs(change + 6.0) <= 1.5, change
    for word in quiet.words[:4] + quiet.words[7:]:
        change = _rms_db(quiet.samples, word.start, word.end, rate) - _rms_db(
            plain.samples, word.start, word.end, rate
        )
        assert abs(change) < 0.1, (word.word, change)


def _median_semitones(samples: np.ndarray, words, rate: int) -> float:
    """Median F0 (in semitones re 100 Hz) over the voiced frames of ``words``."""
    f0 = extract_f0(samples)
    frames = np.concatenate(
        [np.arange(int(w.start * rate / HOP), int(w.end * rate / HOP)) for w in words]
    )
    voiced = f0[frames[frames < len(f0)]]
    voiced = voiced[voiced > 0]
    assert len(voiced) > 10, "too few voiced frames to measure"
    return float(12 * np.log2(np.median(voiced) / 100.0))


def test_pitch_span_raises_its_words_by_four_semitones(voice) -> None:
    text = "We were going home along the river in the evening."
    plain = voice.synthesize(f"<speak>{text}</speak>")
    high = voice.synthesize(
        '<speak>We were going home <prosody pitch="+4st">along the river</prosody> in the '
        "evening.</speak>"
    )
    rate = plain.sample_rate
    inside = slice(4, 7)
    assert [w.word for w in high.words[inside]] == ["along", "the", "river"]
    raised = _median_semitones(high.samples, high.words[inside], rate) - _median_semitones(
        plain.samples, plain.words[inside], rate
    )
    assert abs(raised - 4.0) <= 1.0, raised
    rest_high = high.words[:3] + high.words[8:]
    rest_plain = plain.words[:3] + plain.words[8:]
    unchanged = _median_semitones(high.samples, rest_high, rate) - _median_semitones(
        plain.samples, rest_plain, rate
    )
    assert abs(unchanged) <= 0.5, unchanged
