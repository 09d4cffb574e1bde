"""A flow-matching voice end to end: guidance, avoided emotions, markup, seeds, steps, the
ONNX export and the errors a regression voice gives for flow-only settings."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from emotts.backends import load_voice
from emotts.cli import main
from emotts.errors import ControlError, EmotionSpecError, MarkupError
from emotts.models.untrained import make_untrained_voice
from emotts.onnx.export import export_voice

TEXT = "Hello there. How are you today?"
FLOW = {"type": "flow", "layers": 2, "inner": 64, "kernel": 3, "time_dim": 16, "steps": 3}


@pytest.fixture(scope="module")
def voices(tmp_path_factory) -> dict:
    """Untrained tiny voices with visible conditions: flow (torch and ONNX) and regression."""
    root = tmp_path_factory.mktemp("flow_voice")
    flow_dir = make_untrained_voice(root / "flow", "tiny", frames_per_phoneme=5.0, decoder=FLOW)
    regression_dir = make_untrained_voice(root / "regression", "tiny", vocoder="griffinlim")
    onnx_dir = export_voice(flow_dir, root / "onnx").directory
    return {
        "dir": flow_dir,
        "onnx_dir": onnx_dir,
        "torch": load_voice(flow_dir, backend="torch"),
        "onnx": load_voice(onnx_dir),
        "regression": load_voice(regression_dir, backend="torch"),
    }


def _acoustic_mel(voice, emotion: str = "happy", **options) -> np.ndarray:
    """The whole utterance's mel (the vocoder is the same for every option)."""
    return voice.synthesize(TEXT, emotion, **options).mel


def test_same_seed_same_audio_other_seed_other_audio(voices):
    voice = voices["torch"]
    first, again = _acoustic_mel(voice, seed=3), _acoustic_mel(voice, seed=3)
    other = _acoustic_mel(voice, seed=4)
    np.testing.assert_array_equal(first, again)
    assert first.shape == other.shape  # the encoder is deterministic: same durations
    assert np.abs(first - other).mean() > 0.05


def test_streaming_renders_the_seed_like_synthesize(voices):
    voice = voices["torch"]
    whole = _acoustic_mel(voice, seed=9, guidance=2.0)
    parts = np.concatenate(
        [part.mel for part in voice.stream(TEXT, "happy", seed=9, guidance=2.0)], axis=1
    )
    np.testing.assert_allclose(parts, whole, atol=1e-5)


@pytest.mark.parametrize(
    "options",
    [{}, {"guidance": 2.5}, {"guidance": 0.0}, {"guidance": 1.5, "avoid": "sad"}, {"steps": 2}],
)
def test_onnx_voice_matches_torch_at_a_seed(voices, options):
    torch_mel = _acoustic_mel(voices["torch"], seed=5, **options)
    onnx_mel = _acoustic_mel(voices["onnx"], seed=5, **options)
    assert torch_mel.shape == onnx_mel.shape
    np.testing.assert_allclose(onnx_mel, torch_mel, atol=1e-4)


def test_guidance_and_avoid_change_the_rendering_and_are_affine_at_one_step(voices):
    voice = voices["torch"]
    mel = {w: _acoustic_mel(voice, seed=1, guidance=w, steps=1) for w in (0.0, 1.0, 2.0)}
    assert np.abs(mel[2.0] - mel[1.0]).mean() > 1e-3
    # One Euler step: the mel is affine in w, so w = 2 is the extrapolation of w = 0 -> 1
    # (silences inserted between sentences are the same floor in all three).
    np.testing.assert_allclose(mel[2.0], 2 * mel[1.0] - mel[0.0], atol=1e-4)
    avoided = _acoustic_mel(voice, seed=1, avoid="sad", steps=1)
    assert np.abs(avoided - mel[1.0]).mean() > 1e-3
    # Avoiding the requested emotion itself: v(e) - v(e) = 0, no change.
    np.testing.assert_allclose(_acoustic_mel(voice, seed=1, avoid="happy", steps=1), mel[1.0])


def test_markup_guidance_sets_its_span_only(voices):
    voice = voices["torch"]
    plain = voice.synthesize("Hello there.", "happy", seed=2).mel
    same = voice.synthesize('<emotion name="happy" guidance="1">Hello there.</emotion>', seed=2)
    np.testing.assert_allclose(same.mel, plain, atol=1e-6)
    strong = voice.synthesize('<emotion name="happy" guidance="3">Hello there.</emotion>', seed=2)
    assert np.abs(strong.mel - plain).mean() > 1e-3
    with pytest.raises(MarkupError, match="guidance"):
        voice.synthesize('<emotion name="happy" guidance="9">Hi.</emotion>')


def test_regression_voice_refuses_flow_settings(voices):
    voice = voices["regression"]
    for options, named in (
        ({"guidance": 2.0}, "guidance needs"),
        ({"avoid": "sad"}, "avoid needs"),
        ({"steps": 3, "temperature": 0.5}, "steps, temperature need"),
    ):
        with pytest.raises(ControlError, match=f"{named} a flow-matching voice.*convnext"):
            voice.synthesize("Hello.", **options)
    with pytest.raises(ControlError, match="guidance.*spans need a flow-matching voice"):
        voice.synthesize('<emotion name="happy" guidance="2">Hello.</emotion>')
    # A seed is fine: a regression voice is deterministic, so every seed reproduces it.
    np.testing.assert_array_equal(
        voice.synthesize("Hello.", seed=1).mel, voice.synthesize("Hello.", seed=2).mel
    )


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"avoid": "bored"}, EmotionSpecError, "unknown emotion label 'bored'"),
        ({"guidance": 7.0}, ControlError, r"guidance 7.0 is out of range; accepted: \[-2.0, 6.0\]"),
        ({"steps": 0}, ControlError, r"steps 0 is out of range; accepted: \[1, 50\]"),
        ({"temperature": -1.0}, ControlError, "temperature -1.0 is out of range"),
        ({"seed": -3}, ControlError, "seed must be a non-negative integer"),
        ({"avoid_guidance": 1.0}, ControlError, "no avoid label"),
    ],
)
def test_bad_flow_settings_are_refused(voices, options, error, message):
    with pytest.raises(error, match=message):
        voices["torch"].synthesize("Hello.", **options)


def test_cli_synth_seed_reproduces_and_guidance_errors_on_regression(voices, tmp_path: Path):
    import soundfile as sf

    args = ["synth", "--voice", str(voices["dir"]), "-t", "Hello there.", "-e", "happy"]
    flow_args = ["--guidance", "2", "--avoid", "sad", "--flow-steps", "2", "--seed", "7"]
    for name in ("a.wav", "b.wav"):
        assert main([*args, *flow_args, "-o", str(tmp_path / name)]) == 0
    a, _ = sf.read(tmp_path / "a.wav")
    b, _ = sf.read(tmp_path / "b.wav")
    np.testing.assert_array_equal(a, b)
    regression = voices["regression"].directory
    code = main(["synth", "--voice", str(regression), "-t", "Hi.", "--guidance", "2", "-o",
                 str(tmp_path / "c.wav")])  # fmt: skip
    assert code != 0
