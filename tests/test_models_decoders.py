"""Decoders chosen by the model config's ``decoder`` section, old flat configs included."""

from __future__ import annotations

import json

import pytest
import torch

from emotts.errors import ConfigError
from emotts.models import AcousticConfig, AcousticModel
from emotts.models.decoders import DECODERS, build_decoder
from emotts.models.decoders.convnext import ConvNeXtDecoder
from emotts.voices import VOICES_DIR

DATA = dict(
    n_symbols=20,
    labels=["neutral", "happy"],
    speakers=["a"],
    pitch_mean=5.0,
    pitch_std=0.3,
    energy_mean=20.0,
    energy_std=10.0,
)


def test_shipped_voice_config_without_the_section_loads_as_convnext():
    config = json.loads((VOICES_DIR / "default" / "config.json").read_text())["model"]
    assert "decoder" not in config and "decoder_layers" in config
    model_config = AcousticConfig.from_dict(config)
    assert model_config.decoder == {
        "type": "convnext",
        "layers": config["decoder_layers"],
        "inner": config["decoder_inner"],
        "kernel": config["decoder_kernel"],
    }
    assert len(AcousticModel(model_config).decoder.blocks) == config["decoder_layers"]


def test_section_round_trips_and_preset_options_merge():
    config = AcousticConfig.preset("tiny", **DATA, decoder={"layers": 3})
    assert config.decoder == {"type": "convnext", "layers": 3, "inner": 128, "kernel": 7}
    assert AcousticConfig.from_dict(config.to_dict()) == config
    legacy = AcousticConfig.preset("tiny", **DATA, decoder_kernel=5)
    assert legacy.decoder["kernel"] == 5 and "decoder_kernel" not in legacy.to_dict()


@pytest.mark.parametrize(
    ("decoder", "message"),
    [
        ({"type": "wavenet"}, "unknown decoder type 'wavenet'; accepted: convnext"),
        ({"type": "convnext", "depth": 3}, "no option 'depth'; accepted: layers, inner, kernel"),
        ("convnext", "must be a mapping"),
    ],
)
def test_bad_sections_are_refused_with_what_is_accepted(decoder, message):
    with pytest.raises(ConfigError, match=message):
        AcousticConfig.preset("tiny", **DATA, decoder=decoder)


def test_legacy_keys_with_another_decoder_type_are_refused(monkeypatch):
    monkeypatch.setitem(DECODERS, "other", ConvNeXtDecoder)
    with pytest.raises(ConfigError, match="put the options under model.decoder"):
        AcousticConfig.from_dict({**DATA, "decoder": {"type": "other"}, "decoder_layers": 2})


def test_a_registered_type_is_built_by_keyword(monkeypatch):
    class WideDecoder(ConvNeXtDecoder):
        def __init__(self, channels, condition_dim, n_mels, *, width: int = 3) -> None:
            super().__init__(channels, condition_dim, n_mels, layers=1, inner=width)

    monkeypatch.setitem(DECODERS, "wide", WideDecoder)
    config = AcousticConfig.preset("tiny", **DATA, decoder={"type": "wide", "width": 40})
    assert config.decoder == {"type": "wide", "width": 40}
    model = AcousticModel(config)
    assert isinstance(model.decoder, WideDecoder)
    assert model.decoder.blocks[0].pointwise1.out_features == 40
    decoder = build_decoder({"type": "wide"}, channels=8, condition_dim=4, n_mels=10, emotion_dim=2)
    mel = decoder.generate(
        torch.zeros(1, 5, 8), torch.ones(1, 5, dtype=torch.bool), torch.zeros(1, 5, 4)
    )
    assert mel.shape == (1, 10, 5)


def test_a_decoder_asking_for_the_emotion_width_gets_it(monkeypatch):
    class EmotionAware(ConvNeXtDecoder):
        def __init__(self, channels, condition_dim, n_mels, emotion_dim, *, layers: int = 1):
            super().__init__(channels, condition_dim, n_mels, layers=layers)
            self.emotion_dim = emotion_dim

    monkeypatch.setitem(DECODERS, "aware", EmotionAware)
    config = AcousticConfig.preset("tiny", **DATA, decoder={"type": "aware"})
    assert config.decoder == {"type": "aware", "layers": 1}
    assert AcousticModel(config).decoder.emotion_dim == config.emotion_dim
