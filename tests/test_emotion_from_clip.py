"""Emotion from reference clips (``--emotion-from``, ``emotion_from=``, the demo's clip kind).

Uses the judge shipped in emotts/eval/data and clips of the tiny espeak corpus. espeak speech
is far from the judge's training data, so these tests check the plumbing and the averaging;
how well the estimate transfers is measured on corpus clips by
scripts/clip_emotion_transfer.py (figures in docs/emotion-control.md).
"""

from __future__ import annotations

import numpy as np
import pytest
import soundfile

from emotts.cli import main
from emotts.demo.request import EmotionChoice, build_emotion
from emotts.emotion.from_clip import ClipEmotionEstimate, ClipEmotionEstimator
from emotts.emotion.spec import EmotionSpec, parse_emotion
from emotts.errors import ControlError, EmotionSpecError
from emotts.models.untrained import make_untrained_voice

pytest.importorskip("opensmile")


@pytest.fixture(scope="module")
def estimator():
    return ClipEmotionEstimator()


@pytest.fixture(scope="module")
def clips(tiny_corpus):
    wavs = sorted((tiny_corpus.parent / "wavs").glob("*.wav"))
    return [wavs[0], wavs[-1]]  # a low-pitched neutral and a high-pitched happy line


def test_one_clip_gives_a_distribution_adv_and_a_reusable_spec(estimator, clips):
    estimate = estimator(clips[0])
    assert estimate.clips == (str(clips[0]),)
    assert sum(estimate.probabilities.values()) == pytest.approx(1.0)
    assert set(estimate.probabilities) == set(estimator.judge.labels)
    assert estimate.adv is not None and len(estimate.adv) == 3
    for mode in ("labels", "adv"):
        spec = estimate.spec(mode)
        assert parse_emotion(str(spec)) == spec


def test_several_clips_average_their_judged_emotion(estimator, clips):
    both = estimator(clips)
    single = [estimator(clip) for clip in clips]
    for label, p in both.probabilities.items():
        assert p == pytest.approx(np.mean([s.probabilities[label] for s in single]))
    np.testing.assert_allclose(both.adv, np.mean([s.adv for s in single], axis=0))
    for averaged, alone in zip(both.per_clip, single, strict=True):
        assert averaged == pytest.approx(alone.probabilities)


def test_spec_drops_small_weights_rounds_and_clips_adv():
    estimate = ClipEmotionEstimate(
        clips=("a.wav",),
        probabilities={"happy": 0.61234, "surprised": 0.36, "sad": 0.02766},
        adv=(1.7, -0.123, 0.5),
        per_clip=(),
    )
    assert estimate.label == "happy"
    spec = estimate.spec()
    assert spec.weights == (("happy", 0.63), ("surprised", 0.37))
    assert estimate.spec("adv", intensity=0.5) == EmotionSpec.adv(1.0, -0.12, 0.5, 0.5)
    with pytest.raises(ControlError, match="accepted: labels, adv"):
        estimate.spec("mean")


def test_bad_clips_are_clear_errors(estimator, tmp_path):
    with pytest.raises(ControlError, match="does not exist"):
        estimator(tmp_path / "missing.wav")
    with pytest.raises(ControlError, match="at least one"):
        estimator([])
    with pytest.raises(ControlError, match="audio file paths"):
        estimator([3])


@pytest.fixture(scope="module")
def voice_dir(tmp_path_factory):
    return make_untrained_voice(tmp_path_factory.mktemp("voice"), "tiny", vocoder="griffinlim")


def test_synth_prints_the_estimate_and_speaks_exactly_that_spec(voice_dir, clips, tmp_path, capsys):
    out, again = tmp_path / "clip.wav", tmp_path / "again.wav"
    base = ["synth", "-v", str(voice_dir), "-t", "Close the door."]
    assert (
        main(
            [
                *base,
                "--emotion-from",
                str(clips[0]),
                "--emotion-from",
                str(clips[1]),
                "--intensity",
                "0.8",
                "-o",
                str(out),
            ]
        )
        == 0
    )
    err = capsys.readouterr().err
    assert "emotion from 2 clip(s): -e '" in err
    printed = err.split("-e '", 1)[1].split("'", 1)[0]
    assert parse_emotion(printed).intensity == 0.8
    assert main([*base, "-e", printed, "-o", str(again)]) == 0
    np.testing.assert_array_equal(soundfile.read(out)[0], soundfile.read(again)[0])
    assert main([*base, "--emotion-from", str(clips[0]), "-e", "happy", "-o", str(out)]) == 2
    assert "both --emotion-from and an emotion" in capsys.readouterr().err


def test_api_takes_emotion_from_and_rejects_both(voice_dir, clips):
    from emotts.api import Voice

    voice = Voice.load(voice_dir)
    with pytest.raises(EmotionSpecError, match="both emotion and emotion_from"):
        voice.synthesize("Hi.", "happy", emotion_from=clips[0])
    spec = ClipEmotionEstimator()(clips[0]).spec()
    from_clip = voice.synthesize("Hi.", emotion_from=[clips[0]]).samples
    np.testing.assert_array_equal(from_clip, voice.synthesize("Hi.", spec).samples)


def test_demo_clip_kind(clips):
    spec = build_emotion(EmotionChoice("clip", intensity=0.7, clip=str(clips[1])))
    assert spec.intensity == 0.7 and spec.weights
    with pytest.raises(ControlError, match="upload"):
        build_emotion(EmotionChoice("clip"))
