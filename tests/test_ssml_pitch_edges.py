"""Pitch ramps at SSML span edges (issue 18): the shared input code spreads each per-phoneme
pitch step over ``pitch_ramp`` phonemes, so both backends get the same inputs. What the ramp
does to F0 on the shipped voice is measured by scripts/ssml_pitch_edges.py."""

from __future__ import annotations

import numpy as np
import pytest

from emotts.backends import load_voice
from emotts.emotion.spec import EmotionSpec
from emotts.errors import ControlError
from emotts.models.untrained import make_untrained_voice
from emotts.synthesis.controls import SynthesisControls
from emotts.synthesis.inputs import build_inputs
from emotts.synthesis.pitch_edges import PITCH_RAMP_DEFAULT, ramp_pitch_edges
from emotts.text import SymbolTable, TextFrontend

SPAN = '<speak>We walked <prosody pitch="+4st">over the hill</prosody> home today.</speak>'


def test_a_step_becomes_a_linear_ramp_centred_on_the_edge():
    step = np.array([0, 0, 0, 0, 4, 4, 4, 4], np.float32)
    np.testing.assert_array_equal(ramp_pitch_edges(step, 1), step)
    np.testing.assert_allclose(ramp_pitch_edges(step, 3), [0, 0, 0, 4 / 3, 8 / 3, 4, 4, 4])
    five = ramp_pitch_edges(step, 5)
    np.testing.assert_allclose(five, [0, 0, 0.8, 1.6, 2.4, 3.2, 4, 4], rtol=1e-6)
    assert np.all(np.diff(five) >= 0) and five[0] == 0 and five[-1] == 4


def test_flat_shifts_and_the_span_mean_are_kept():
    flat = np.full(9, 2.5, np.float32)
    np.testing.assert_array_equal(ramp_pitch_edges(flat, 5), flat)
    span = np.array([0] * 6 + [4] * 8 + [0] * 6, np.float32)
    for width in (3, 5, 7):
        ramped = ramp_pitch_edges(span, width)
        assert ramped.sum() == pytest.approx(span.sum(), rel=1e-6)  # mass moves, none is lost
        assert ramped.max() == pytest.approx(4.0)


@pytest.fixture(scope="module")
def frontend() -> TextFrontend:
    return TextFrontend(SymbolTable.default(), "en-us")


def test_build_inputs_ramps_the_span_and_adds_the_global_shift(frontend):
    [sentence] = frontend.process(SPAN, EmotionSpec.neutral())
    for width in (1, 3, 5):
        controls = SynthesisControls(pitch_shift=1.5, pitch_ramp=width)
        inputs = build_inputs([sentence], ["neutral"], 0, controls)
        expected = ramp_pitch_edges(np.asarray(sentence.pitch_shifts), width) + 1.5
        np.testing.assert_allclose(inputs["pitch_shift"][0], expected, rtol=1e-6)
    hard = build_inputs([sentence], ["neutral"], 0, SynthesisControls(pitch_ramp=1))
    assert len(np.unique(hard["pitch_shift"][0])) == 2  # 0 and 4 only: the hard step


@pytest.mark.parametrize("bad", [0, 16, 2.5, True, "3"])
def test_bad_ramp_widths_are_refused_saying_what_is_accepted(bad):
    with pytest.raises(ControlError, match=r"pitch_ramp .*\[1, 15\]"):
        SynthesisControls(pitch_ramp=bad)


def test_the_ramp_reaches_the_audio_and_leaves_text_without_spans_alone(tmp_path):
    voice = load_voice(
        make_untrained_voice(tmp_path, "tiny", frames_per_phoneme=5.0, vocoder="griffinlim"),
        backend="torch",
    )
    assert PITCH_RAMP_DEFAULT != 1
    hard, ramped = voice.synthesize(SPAN, pitch_ramp=1), voice.synthesize(SPAN)
    assert len(hard.samples) == len(ramped.samples)
    assert not np.allclose(hard.mel, ramped.mel, atol=1e-4)
    plain = "We walked over the hill home today."
    np.testing.assert_array_equal(
        voice.synthesize(plain, pitch_ramp=1).mel, voice.synthesize(plain, pitch_ramp=7).mel
    )
    with pytest.raises(ControlError, match="pitch_ramp"):
        next(voice.stream(SPAN, pitch_ramp=0))
