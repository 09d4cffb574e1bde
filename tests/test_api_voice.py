"""The torch Voice API and `emotts synth` on a small voice with untrained weights.

Untrained weights are enough here: these tests check plumbing (lengths, timings, controls,
errors), not quality (see `emotts.models.untrained`).
"""

import json

import numpy as np
import pytest
import soundfile

from emotts.backends.torch_voice import Voice
from emotts.cli import main
from emotts.emotion.spec import EmotionSpec
from emotts.errors import ConfigError, ControlError, EmotionSpecError, MarkupError, TextError
from emotts.models.untrained import make_untrained_voice

HOP, RATE = 256, 22050


@pytest.fixture(scope="module")
def voice_dir(tmp_path_factory):
    return make_untrained_voice(
        tmp_path_factory.mktemp("voice"),
        "tiny",
        frames_per_phoneme=6.0,
        speakers=("ann", "bob"),
        vocoder="griffinlim",
    )


@pytest.fixture(scope="module")
def voice(voice_dir):
    return Voice.load(voice_dir)


def test_audio_length_follows_durations_and_timings_are_ordered(voice):
    audio = voice.synthesize("Hello there. How are you today?", "happy")
    assert audio.sample_rate == RATE
    assert audio.samples.dtype == np.float32
    assert len(audio.samples) == audio.mel.shape[1] * HOP
    assert np.abs(audio.samples).max() > 1e-3
    assert [w.word for w in audio.words] == ["Hello", "there", "How", "are", "you", "today"]
    starts = [w.start for w in audio.words]
    assert starts == sorted(starts)
    assert all(w.start < w.end for w in audio.words)
    assert audio.words[-1].end <= audio.duration + 1e-9


@pytest.mark.parametrize("seconds", [0.5, 1.0, 2.345, 7.0])
def test_exact_duration_within_one_frame(voice, seconds):
    audio = voice.synthesize("First sentence. And a second one!", duration=seconds)
    assert abs(audio.duration - seconds) <= HOP / RATE / 2 + 1e-9


def test_word_spans_map_back_to_the_marked_up_text(voice):
    text = 'I am <emotion name="angry">really upset</emotion> now.'
    audio = voice.synthesize(text)
    spans = {w.word: text[w.start_char : w.end_char] for w in audio.words}
    assert spans == {"I": "I", "am": "am", "really": "really", "upset": "upset", "now": "now"}


def test_every_emotion_kind_is_accepted_and_changes_the_output(voice):
    text = "The same words every time."
    mels = [
        voice.synthesize(text, emotion).mel
        for emotion in (
            None,
            "happy",
            EmotionSpec.mix({"sad": 0.7, "surprised": 0.3}),
            EmotionSpec.label("angry", intensity=-1.0),
            EmotionSpec.adv(0.7, 0.2, -0.5),
        )
    ]
    for other in mels[1:]:
        assert other.shape[0] == 80
        if other.shape == mels[0].shape:
            assert not np.allclose(other, mels[0])


def test_speed_and_speakers(voice):
    slow = voice.synthesize("Speed test sentence.", speed=0.5)
    fast = voice.synthesize("Speed test sentence.", speed=2.0)
    assert slow.duration > 3 * fast.duration
    assert voice.synthesize("Hi.", speaker="bob").duration > 0
    assert voice.synthesize("Hi.", speaker=1).duration > 0


def test_stream_pieces_cover_every_sentence(voice):
    from emotts.synthesis.result import concatenate

    parts = list(voice.stream("One. Two words. Three more words!", "sad"))
    assert len(parts) >= 3  # vocoder chunks, at least one per sentence
    assert all(len(p.samples) > 0 for p in parts)
    words = [w.word for w in concatenate(parts).words]
    assert words == ["One", "Two", "words", "Three", "more", "words"]


@pytest.mark.parametrize(
    ("kwargs", "error", "needle"),
    [
        (dict(speed=0), ControlError, "speed"),
        (dict(speed=float("nan")), ControlError, "speed"),
        (dict(duration=-1.0), ControlError, "duration"),
        (dict(pitch_shift=99.0), ControlError, "pitch_shift"),
        (dict(energy_scale=0.0), ControlError, "energy_scale"),
        (dict(speaker="carol"), ControlError, "ann, bob"),
        (dict(speaker=5), ControlError, "0..1"),
        (dict(emotion="joyous"), EmotionSpecError, "joyous"),
        (dict(emotion=3), EmotionSpecError, "emotion must be"),
    ],
)
def test_bad_controls_raise_clear_errors(voice, kwargs, error, needle):
    with pytest.raises(error, match=needle):
        voice.synthesize("Hello.", **kwargs)


def test_bad_text_raises_clear_errors(voice):
    with pytest.raises(TextError):
        voice.synthesize("   ")
    with pytest.raises(MarkupError):
        voice.synthesize('<emotion name="happy">never closed')
    with pytest.raises(ControlError, match="streaming"):
        list(voice.stream("Hi.", duration=2.0))


def test_unknown_voice_and_backend():
    with pytest.raises(ConfigError, match="shipped voices"):
        Voice.load("no-such-voice")
    with pytest.raises(ControlError, match="backend"):
        Voice.load("no-such-voice", backend="tpu")


def test_cli_synth_writes_wav_and_timings(voice_dir, tmp_path):
    out, timings = tmp_path / "out.wav", tmp_path / "t.json"
    code = main(
        [
            "synth",
            "-v",
            str(voice_dir),
            "-t",
            "Cli test sentence.",
            "-e",
            "happy:0.6,surprised:0.4",
            "--intensity",
            "1.4",
            "--duration",
            "1.5",
            "--pitch-shift",
            "2",
            "-o",
            str(out),
            "--timings",
            str(timings),
        ]
    )
    assert code == 0
    data, rate = soundfile.read(out)
    assert rate == RATE and abs(len(data) / rate - 1.5) <= HOP / RATE
    assert [w["word"] for w in json.loads(timings.read_text())["words"]] == [
        "Cli",
        "test",
        "sentence",
    ]


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["-e", "happy", "--adv", "0,0,0"], "adv"),
        (["-e", "elated"], "elated"),
        (["--adv", "2,0,0"], "arousal"),
        (["--speed", "-1"], "speed"),
        (["--intensity", "5", "-e", "sad"], "intensity"),
    ],
)
def test_cli_errors_exit_2_with_message(voice_dir, tmp_path, capsys, argv, needle):
    code = main(["synth", "-v", str(voice_dir), "-t", "Hi.", "-o", str(tmp_path / "x.wav"), *argv])
    assert code == 2
    assert needle in capsys.readouterr().err.lower()


def test_cli_requires_an_output(voice_dir, capsys):
    assert main(["synth", "-v", str(voice_dir), "-t", "Hi."]) == 2
    assert "--output" in capsys.readouterr().err
