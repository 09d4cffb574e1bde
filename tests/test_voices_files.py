"""Voice description files (config.json / voice.json): every malformed case names the problem."""

import json

import pytest

from emotts.errors import ConfigError
from emotts.models.checkpoint import read_voice_config
from emotts.voices import resolve_voice


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "'format'"),
        (json.dumps({"format": "other", "version": 1}), "expected 'emotts-voice'"),
        (json.dumps({"format": "emotts-voice", "version": 9}), "version 9 is not supported"),
        (json.dumps({"format": "emotts-voice", "version": 1, "audio": {}}), "['text', 'model']"),
    ],
)
def test_bad_voice_config_is_explained(tmp_path, content, needle):
    (tmp_path / "config.json").write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError, match=needle.replace("[", r"\[").replace("]", r"\]")):
        read_voice_config(tmp_path)


def test_missing_config_and_unknown_voice(tmp_path):
    with pytest.raises(ConfigError, match="config.json is missing"):
        read_voice_config(tmp_path)
    with pytest.raises(ConfigError, match="shipped voices: .*default"):
        resolve_voice("no-such-voice")


def test_default_voice_is_shipped():
    assert read_voice_config(resolve_voice(None))["model"]["speakers"] == ["slt"]


def test_cast_voice_is_shipped_with_four_speakers():
    config = read_voice_config(resolve_voice("cast"))
    assert config["model"]["speakers"] == ["slt", "clb", "bdl", "alan"]
