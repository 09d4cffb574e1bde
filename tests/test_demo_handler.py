"""The demo's request handling without a browser: validation, emotion specs, outputs."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile

from emotts.demo.compare import CompareRequest, handle_comparison, sweep
from emotts.demo.handler import handle_synthesis
from emotts.demo.request import (
    MAX_TEXT_CHARS,
    EmotionChoice,
    SynthesisRequest,
    build_emotion,
    check_text,
    mix_from_sliders,
    optional_duration,
)
from emotts.demo.session import Session, delete_session
from emotts.demo.spans import emotion_spans
from emotts.demo.status import status_html
from emotts.demo.voices import available_backends, initial_voice, pick_backend
from emotts.emotion.labels import LABELS
from emotts.emotion.markup import parse_markup
from emotts.emotion.spec import EmotionSpec
from emotts.errors import ConfigError, ControlError, EmotionSpecError, MarkupError, TextError
from emotts.models.untrained import make_untrained_voice
from emotts.synthesis.result import WordTiming


@pytest.fixture(scope="module")
def voice_dir(tmp_path_factory) -> str:
    return str(
        make_untrained_voice(
            tmp_path_factory.mktemp("voice"),
            "tiny",
            frames_per_phoneme=7.0,
            speakers=("ann", "bob"),
            vocoder="griffinlim",
        )
    )


@pytest.fixture
def session():
    session = Session.create()
    yield session
    delete_session(session)


@pytest.mark.parametrize(
    ("text", "error", "needle"),
    [
        ("", TextError, "empty"),
        ("   \n ", TextError, "empty"),
        (None, TextError, "empty"),
        ("a" * (MAX_TEXT_CHARS + 1), TextError, f"at most {MAX_TEXT_CHARS}"),
        ('I <emotion name="happy">love it', MarkupError, "position"),
        ('I <emotion name="glee">love</emotion> it', MarkupError, "glee"),
        ("a <blink>x</blink>", MarkupError, "&lt;"),  # "a < b" is text now
        ('<emotion name="happy"></emotion>', TextError, "no words"),
    ],
)
def test_bad_text_is_a_user_error_with_a_message(text, error, needle):
    with pytest.raises(error, match=needle):
        check_text(text)


def test_text_at_the_limit_is_accepted():
    text, segments = check_text("a" * MAX_TEXT_CHARS)
    assert len(text) == MAX_TEXT_CHARS and len(segments) == 1


@pytest.mark.parametrize(
    ("choice", "expected"),
    [
        (EmotionChoice("label", "joy", 1.5), EmotionSpec.label("happy", 1.5)),
        (EmotionChoice("label", "sad", -1.0), EmotionSpec.label("sad", -1.0)),
        (
            EmotionChoice("blend", mix=mix_from_sliders([0, 0.6, 0, 0, 0.4, 0, 0]), intensity=0.5),
            EmotionSpec.mix({"happy": 0.6, "surprised": 0.4}, 0.5),
        ),
        (
            EmotionChoice("adv", adv=(0.7, 0.2, -0.5), intensity=2.0),
            EmotionSpec.adv(0.7, 0.2, -0.5, 2.0),
        ),
        # The inactive controls are ignored whatever they hold.
        (
            EmotionChoice("adv", label="angry", mix={"sad": 1.0}, adv=(0.0, 0.0, 0.3)),
            EmotionSpec.adv(0, 0, 0.3),
        ),
    ],
)
def test_each_emotion_kind_builds_its_spec(choice, expected):
    assert build_emotion(choice) == expected


@pytest.mark.parametrize(
    ("choice", "error", "needle"),
    [
        (
            EmotionChoice("blend", mix=mix_from_sliders([0.0] * len(LABELS))),
            EmotionSpecError,
            "zero",
        ),
        (EmotionChoice("label", "happy", 2.5), EmotionSpecError, "intensity"),
        (EmotionChoice("adv", adv=(1.5, 0.0, 0.0)), EmotionSpecError, "arousal"),
        (EmotionChoice("mood"), ControlError, "kind"),
    ],
)
def test_bad_emotion_controls_are_user_errors(choice, error, needle):
    with pytest.raises(error, match=needle):
        build_emotion(choice)


def test_duration_control_is_optional():
    assert optional_duration(False, 3.0) is None
    assert optional_duration(True, 2.5) == 2.5
    assert optional_duration(True, None) is None


def test_spans_follow_the_words_inside_each_tag():
    text = 'I <emotion name="sad">miss you</emotion> so <emotion adv="0.5,0,0">much</emotion>'
    segments = parse_markup(text)
    words = [
        WordTiming(word, start, start + 0.3, text.index(word), text.index(word) + len(word))
        for word, start in (("I", 0.0), ("miss", 0.3), ("you", 0.6), ("so", 0.9), ("much", 1.2))
    ]
    spans = emotion_spans(segments, words)
    assert [(s.start, s.end, s.dominant_label) for s in spans] == [
        (0.3, pytest.approx(0.9), "sad"),
        (1.2, pytest.approx(1.5), None),
    ]
    assert spans[1].name == "adv=0.5,0.0,0.0"


def test_status_escapes_user_markup():
    shown = status_html("error", 'unclosed <emotion name="x">')
    assert "&lt;emotion" in shown and "<emotion" not in shown


def test_voice_selection(voice_dir, tmp_path):
    assert available_backends(voice_dir) == ["torch"]
    assert pick_backend(voice_dir, "auto") == "torch"
    assert initial_voice(voice_dir) == voice_dir
    with pytest.raises(ControlError, match="onnx"):
        pick_backend(voice_dir, "onnx")
    with pytest.raises(ConfigError, match="voice"):
        initial_voice(str(tmp_path / "missing"))


def test_synthesis_writes_a_wav_and_draws_every_output(voice_dir, session):
    text = 'We <emotion name="sad">lost</emotion> today.'
    request = SynthesisRequest(
        text,
        voice_dir,
        speaker="bob",
        emotion=EmotionChoice("label", "happy", 1.5),
        speed=1.2,
        duration=1.5,
    )
    result = handle_synthesis(request, session)
    samples, rate = soundfile.read(result.wav_path, dtype="float32")
    assert rate == 22050 and np.abs(samples).max() > 1e-3
    assert abs(len(samples) / rate - 1.5) < 256 / 22050
    assert result.wav_path.endswith("take-001-happy.wav")
    for image in (result.mel_image, result.f0_image):
        assert image.ndim == 3 and image.shape[2] == 3 and image.std() > 0
    assert [row[0] for row in result.words] == ["We", "lost", "today"]
    assert result.phonemes and "intensity=1.5" in result.summary


def test_synthesis_accepts_ssml_in_the_text_box(voice_dir, session):
    text = (
        '<speak xmlns:emotts="urn:emotts">We <emotts:emotion name="sad">lost</emotts:emotion>'
        ' <break time="400ms"/> <mark name="m"/>today.</speak>'
    )
    result = handle_synthesis(SynthesisRequest(text, voice_dir), session)
    assert [row[0] for row in result.words] == ["We", "lost", "today"]
    [pause] = result.audio.breaks
    assert abs(pause.end - pause.start - 0.4) <= 128 / 22050
    assert "1 breaks" in result.summary and "m@" in result.summary
    segments = check_text(text)[1]
    spans = emotion_spans(segments, result.audio.words)
    assert [span.name for span in spans] == ["sad"]
    with pytest.raises(MarkupError, match="unsupported element <voice>"):
        check_text("<speak><voice>x</voice></speak>")


def test_synthesis_rejects_a_backend_the_voice_lacks(voice_dir, session):
    with pytest.raises(ControlError, match="onnx"):
        handle_synthesis(SynthesisRequest("Hello.", voice_dir, backend="onnx"), session)


def test_sweeps_cover_their_range():
    assert [t for t, _ in sweep(CompareRequest("x", "v", labels=("happy", "sad")))] == [
        "happy",
        "sad",
    ]
    intensity = sweep(
        CompareRequest("x", "v", mode="intensity sweep", sweep_label="angry", steps=4)
    )
    assert [spec.intensity for _, spec in intensity] == [-1.0, 0.0, 1.0, 2.0]
    adv = sweep(CompareRequest("x", "v", mode="ADV sweep", adv_dimension="valence", steps=3))
    assert [spec.adv for _, spec in adv] == [(0, 0, -1.0), (0, 0, 0.0), (0, 0, 1.0)]
    with pytest.raises(ControlError, match="steps"):
        sweep(CompareRequest("x", "v", mode="ADV sweep", steps=9))
    with pytest.raises(ControlError, match="at least one"):
        sweep(CompareRequest("x", "v", labels=()))


def test_comparison_renders_one_wav_per_emotion(voice_dir, session):
    result = handle_comparison(
        CompareRequest("Well, well.", voice_dir, labels=("neutral", "angry")), session
    )
    assert [title for title, _ in result.renderings] == ["neutral", "angry"]
    for _, path in result.renderings:
        assert soundfile.info(path).samplerate == 22050
    assert result.image.ndim == 3
