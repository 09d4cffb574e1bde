"""`VoiceConfig`: one typed reading of config.json and voice.json, audio settings checked."""

from __future__ import annotations

import json
import shutil

import pytest

from emotts.backends import load_voice
from emotts.backends.onnx_voice import OnnxVoice
from emotts.errors import ConfigError
from emotts.voices import resolve_voice
from emotts.voices.config import VoiceConfig


@pytest.fixture
def voice_copy(tmp_path):
    """A copy of the shipped default voice whose config.json a test may edit."""
    target = tmp_path / "voice"
    shutil.copytree(resolve_voice(None), target)
    return target


def _edit(path, change) -> None:
    document = json.loads(path.read_text())
    change(document)
    path.write_text(json.dumps(document))


def test_torch_and_onnx_files_read_into_the_same_fields(exported):
    torch_config, onnx_config = VoiceConfig.read(exported[0]), VoiceConfig.read(exported[1])
    assert (torch_config.kind, onnx_config.kind) == ("torch", "onnx")
    for name in ("audio", "language", "symbols", "labels", "speakers", "vocoder"):
        assert getattr(torch_config, name) == getattr(onnx_config, name), name
    assert onnx_config.speakers == ["a", "b"] and "neutral" in onnx_config.labels


def test_a_vocoder_with_other_audio_settings_is_refused(voice_copy):
    _edit(voice_copy / "config.json", lambda d: d["audio"].update(sample_rate=24000))
    with pytest.raises(ConfigError, match=r"sample_rate 22050 \(voice: 24000\)"):
        load_voice(voice_copy, backend="torch", vocoder="griffinlim")


def test_a_model_trained_on_other_mels_is_refused(voice_copy):
    _edit(voice_copy / "config.json", lambda d: d["model"].update(n_mels=100))
    with pytest.raises(ConfigError, match="model.n_mels is 100 but audio.n_mels is 80"):
        VoiceConfig.read(voice_copy)


def test_unknown_audio_keys_are_refused(voice_copy):
    _edit(voice_copy / "config.json", lambda d: d["audio"].update(hop_size=200))
    with pytest.raises(ConfigError, match="unknown keys \\['hop_size'\\]; accepted"):
        VoiceConfig.read(voice_copy)


def test_an_onnx_voice_json_that_disagrees_with_its_graphs_is_refused(exported, tmp_path):
    copy = tmp_path / "onnx"
    shutil.copytree(exported[1], copy)
    _edit(copy / "voice.json", lambda d: d["audio"].update(hop_length=300))
    with pytest.raises(ConfigError, match=r"hop_length 256 \(voice: 300\)"):
        OnnxVoice.load(copy)


def test_a_missing_field_is_named(voice_copy):
    _edit(voice_copy / "config.json", lambda d: d["model"].pop("speakers"))
    with pytest.raises(ConfigError, match="model.speakers is missing"):
        VoiceConfig.read(voice_copy)
