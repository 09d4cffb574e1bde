"""The shipped four-speaker cast voice (emotts/voices/cast): each speaker is heard in its own
register (two female, two male RHVoice speakers), measured on the rendered audio."""

from __future__ import annotations

import numpy as np
import pytest

from emotts.audio.config import AudioConfig
from emotts.audio.features import extract_f0
from emotts.backends import load_voice
from emotts.errors import ControlError

TEXT = "The quick brown fox jumps over the lazy dog."


@pytest.fixture(scope="module")
def cast():
    # Griffin-Lim keeps the test fast; F0 survives it.
    return load_voice("cast", backend="torch", vocoder="griffinlim")


def _median_semitones(samples: np.ndarray, sample_rate: int) -> float:
    f0 = extract_f0(samples, AudioConfig(sample_rate=sample_rate))
    voiced = f0[f0 > 0]
    assert voiced.size > 20, "too few voiced frames to measure pitch"
    return float(12 * np.log2(np.median(voiced) / 55.0))


def test_each_speaker_speaks_in_its_own_register(cast):
    pitch = {}
    for speaker in cast.speakers:
        audio = cast.synthesize(TEXT, "neutral", speaker=speaker)
        assert audio.duration > 1.0
        pitch[speaker] = _median_semitones(audio.samples, audio.sample_rate)
    female = min(pitch["slt"], pitch["clb"])
    male = max(pitch["bdl"], pitch["alan"])
    # Median F0 of the corpus's neutral test recordings: slt 19.6, clb 19.9, bdl 13.7, alan 15.6
    # semitones above 55 Hz, so the lower female is 4.1 st above the higher male (the shipped
    # weights: 4.7 st). 3 st leaves room for the sentence; a voice that blurs the two sexes
    # toward each other fails.
    assert female - male > 3.0, pitch


def test_unknown_speaker_lists_the_four(cast):
    with pytest.raises(ControlError, match="slt, clb, bdl, alan"):
        cast.synthesize(TEXT, "neutral", speaker="nobody")
