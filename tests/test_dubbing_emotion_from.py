"""`emotts dub --emotion-from ORIGINAL`: untagged cues take the emotion judged in their window."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile
import srt

from emotts.dubbing import Dubber, parse_cues
from emotts.emotion.from_clip import ClipEmotionEstimator
from emotts.errors import AudioError
from emotts.eval.audio import load_mono
from emotts.models.untrained import make_untrained_voice

pytest.importorskip("opensmile")
RATE = 16000


@pytest.fixture(scope="module")
def voice(tmp_path_factory):
    from emotts.api import Voice

    directory = tmp_path_factory.mktemp("voice")
    return Voice.load(make_untrained_voice(directory, "tiny", vocoder="griffinlim"))


@pytest.fixture(scope="module")
def original(tiny_corpus, tmp_path_factory):
    """Two corpus lines back to back; returns the file and the two windows in seconds."""
    wavs = sorted((tiny_corpus.parent / "wavs").glob("*.wav"))
    parts = [load_mono(wavs[0], RATE), load_mono(wavs[-1], RATE)]
    path = tmp_path_factory.mktemp("original") / "original.wav"
    soundfile.write(path, np.concatenate(parts), RATE)
    first = len(parts[0]) / RATE
    return path, (0.0, first), (first, first + len(parts[1]) / RATE)


def _cues(*windows):
    return parse_cues(
        srt.compose(
            srt.Subtitle(i + 1, srt.timedelta(seconds=a), srt.timedelta(seconds=b), text)
            for i, (a, b, text) in enumerate(windows)
        ),
        "srt",
    )


def test_untagged_cues_take_the_judged_emotion_and_tags_win(voice, original):
    path, (a0, a1), (b0, b1) = original
    cues = _cues((a0, a1, "Close the door."), (b0, b1, "[sad] Open it."), (b1 + 5, b1 + 6, "Hi."))
    track = Dubber(voice, fit="exact", emotion_from=path).render(cues)
    first, second, third = track.report
    estimator = ClipEmotionEstimator()
    samples = load_mono(path, RATE)
    expected = estimator.estimate_features(
        estimator.features(samples[: round(a1 * RATE)], RATE)[None], ["w"]
    )
    assert first.emotion == str(expected.spec())
    assert first.emotion_from_audio == pytest.approx(expected.probabilities)
    assert second.emotion == "sad" and second.emotion_from_audio is None
    assert third.emotion == "neutral" and third.emotion_from_audio is None
    assert any("inside the cue window" in w for w in third.warnings)
    assert track.report_dict()["cues"][0]["emotion_from_audio"] == first.emotion_from_audio


def test_missing_original_is_an_audio_error(voice, tmp_path):
    with pytest.raises(AudioError, match="original audio"):
        Dubber(voice, emotion_from=tmp_path / "none.wav")
