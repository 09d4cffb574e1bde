"""Emotion presets: the shipped YAML, user files, validation errors, and `emotts synth`.

The CLI tests use an untrained tiny voice with the deterministic Griffin-Lim vocoder, so a
preset applied by the command line can be compared sample for sample with the same settings
given explicitly through the API.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
import soundfile

from emotts.api import Voice
from emotts.cli import main
from emotts.emotion.presets import (
    PRESETS_ENV,
    Preset,
    load_presets,
    merge_prosody,
    parse_emotion_or_preset,
    read_preset_file,
    resolve_preset,
)
from emotts.emotion.spec import EmotionSpec
from emotts.errors import ConfigError, EmotionSpecError
from emotts.models.untrained import make_untrained_voice

TEXT = "Please take your time with this."


def test_shipped_presets_are_valid_and_include_the_documented_examples():
    presets = load_presets()
    assert {"whispered-secret", "announcer", "tired"} <= set(presets)
    assert len(presets) >= 6
    for name, preset in presets.items():
        assert preset.name == name and preset.description
        assert isinstance(preset.emotion, EmotionSpec)
    tired = presets["tired"]
    assert tired.emotion == EmotionSpec.label("sad", intensity=0.6)
    assert tired.speed < 1 and tired.pitch_shift < 0 and tired.energy_scale < 1


def test_resolve_accepts_the_prefix_and_lists_names_when_unknown():
    assert resolve_preset("preset:tired") == resolve_preset("tired")
    with pytest.raises(EmotionSpecError) as caught:
        resolve_preset("tird")
    message = str(caught.value)
    assert "did you mean 'tired'" in message
    for name in load_presets():
        assert name in message


def test_user_file_adds_and_replaces_presets(tmp_path, monkeypatch):
    user = tmp_path / "mine.yaml"
    user.write_text(
        "tired:\n  emotion: sad\n  speed: 0.5\n"
        "sneer:\n  emotion: {weights: {disgusted: 1}, intensity: 0.7}\n  description: scorn\n",
        encoding="utf-8",
    )
    merged = load_presets(user)
    assert merged["tired"].speed == 0.5 and merged["tired"].emotion == EmotionSpec.label("sad")
    assert merged["sneer"].emotion == EmotionSpec.label("disgusted", 0.7)
    assert merged["sneer"].pitch_shift == 0.0 and merged["sneer"].energy_scale == 1.0
    assert set(load_presets()) < set(merged)
    monkeypatch.setenv(PRESETS_ENV, str(user))
    assert resolve_preset("sneer").description == "scorn"


@pytest.mark.parametrize(
    ("body", "field", "fragment"),
    [
        ("p:\n  emotion: sad\n  speeed: 0.5\n", "speeed", "did you mean 'speed'"),
        ("p:\n  emotion: sad\n  speed: 9\n", "speed", "[0.25, 4]"),
        ("p:\n  emotion: sad\n  pitch_shift: lots\n", "pitch_shift", "must be a number"),
        ("p:\n  emotion: sad\n  energy_scale: 0\n", "energy_scale", "[0.1, 4]"),
        ("p:\n  emotion: gloomy\n", "emotion", "Accepted labels"),
        ("p:\n  emotion: [sad]\n", "emotion", "the -e syntax"),
        ("p:\n  speed: 1.0\n", "emotion", "missing"),
        ("p:\n  emotion: sad\n  description: [a]\n", "description", "Accepted: text"),
    ],
)
def test_invalid_fields_name_file_preset_field_and_what_is_accepted(
    tmp_path, body, field, fragment
):
    path = tmp_path / "bad.yaml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        read_preset_file(path)
    message = str(caught.value)
    assert str(path) in message and "preset 'p'" in message and field in message
    assert fragment in message


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ("- a\n- b\n", "top level must map preset names"),
        ("Bad Name:\n  emotion: sad\n", "preset name 'Bad Name' is invalid"),
        ("p: sad\n", "must be a mapping"),
        ("p: [unclosed\n", "not valid YAML"),
    ],
)
def test_invalid_files_are_reported(tmp_path, body, fragment):
    path = tmp_path / "bad.yaml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(ConfigError, match="bad.yaml") as caught:
        read_preset_file(path)
    assert fragment in str(caught.value)


def test_missing_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="cannot read presets file"):
        load_presets(tmp_path / "absent.yaml")


def test_explicit_settings_win_over_the_preset_which_wins_over_defaults():
    preset = Preset("p", EmotionSpec.neutral(), speed=0.8, pitch_shift=-2.0, energy_scale=0.7)
    assert merge_prosody(None) == {"speed": 1.0, "pitch_shift": 0.0, "energy_scale": 1.0}
    assert merge_prosody(preset, speed=None, pitch_shift=3.0) == {
        "speed": 0.8,
        "pitch_shift": 3.0,
        "energy_scale": 0.7,
    }


def test_parse_emotion_or_preset():
    emotion, preset = parse_emotion_or_preset("preset:tired", intensity=0.3)
    assert preset.name == "tired" and emotion == EmotionSpec.label("sad", 0.3)
    assert parse_emotion_or_preset("happy") == (EmotionSpec.label("happy"), None)
    with pytest.raises(EmotionSpecError, match="--adv"):
        parse_emotion_or_preset("preset:tired", adv="0,0,0")


def test_presets_command_lists_every_preset_as_json(capsys):
    assert main(["presets", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [row["name"] for row in listed] == list(load_presets())
    tired = next(row for row in listed if row["name"] == "tired")
    assert tired["emotion"] == "sad; intensity=0.6" and tired["speed"] == 0.8


@pytest.fixture(scope="module")
def voice_dir(tmp_path_factory):
    return make_untrained_voice(
        tmp_path_factory.mktemp("voice"), "tiny", vocoder="griffinlim", seed=3
    )


def test_synth_preset_equals_the_same_settings_given_explicitly(voice_dir, tmp_path):
    def synth(name, *flags):
        out = tmp_path / f"{name}.wav"
        argv = ["synth", "-v", str(voice_dir), "-t", TEXT, "-o", str(out), *flags]
        assert main(argv) == 0
        return soundfile.read(out, dtype="float32")[0]

    tired = resolve_preset("tired")
    voice = Voice.load(voice_dir)
    expected = voice.synthesize(TEXT, tired.emotion, **tired.prosody()).samples
    by_flag = synth("flag", "--preset", "tired")
    by_emotion = synth("emotion", "-e", "preset:tired")
    np.testing.assert_allclose(by_flag, expected, atol=1e-4)
    np.testing.assert_array_equal(by_flag, by_emotion)
    # An explicit --speed overrides the preset's 0.8: the speech gets shorter by that factor.
    faster = synth("faster", "--preset", "tired", "--speed", "1.0")
    assert len(faster) / len(by_flag) == pytest.approx(tired.speed, rel=0.03)
    # An explicit emotion replaces the preset's; its prosody settings stay.
    other = voice.synthesize(TEXT, EmotionSpec.label("happy"), **tired.prosody()).samples
    np.testing.assert_allclose(synth("happy", "--preset", "tired", "-e", "happy"), other, atol=1e-4)


def test_synth_rejects_two_presets_and_unknown_names(voice_dir, tmp_path, capsys):
    out = str(tmp_path / "x.wav")
    base = ["synth", "-v", str(voice_dir), "-t", TEXT, "-o", out]
    assert main([*base, "--preset", "tired", "-e", "preset:announcer"]) == 2
    assert "two presets" in capsys.readouterr().err
    assert main([*base, "-e", "preset:nope"]) == 2
    assert "Accepted presets: whispered-secret" in capsys.readouterr().err
