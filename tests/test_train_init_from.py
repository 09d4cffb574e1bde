"""`emotts train --init-from VOICE`: a run starts from a voice's weights (e.g. the shipped one)."""

import pytest
import torch

from emotts.audio.config import AudioConfig
from emotts.errors import ConfigError
from emotts.models import AcousticConfig, AcousticModel
from emotts.models.checkpoint import save_voice
from emotts.train.module import AcousticTrainingModule
from emotts.train.run import adopt_voice_statistics, initialize_from_voice


def _config(**overrides) -> dict:
    values = dict(
        n_symbols=30,
        labels=["neutral", "happy"],
        speakers=["a"],
        pitch_mean=5.0,
        pitch_std=0.3,
        energy_mean=10.0,
        energy_std=4.0,
    )
    return AcousticConfig.preset("tiny", **{**values, **overrides}).to_dict()


def _module(config: dict) -> AcousticTrainingModule:
    return AcousticTrainingModule(config, learning_rate=1e-3, warmup_steps=1, max_steps=10)


def test_weights_are_loaded(tmp_path):
    torch.manual_seed(1)
    source = AcousticModel(AcousticConfig.from_dict(_config()))
    save_voice(
        tmp_path,
        source,
        audio_config=AudioConfig(),
        language="en-us",
        symbols=["_"] * 30,
        half=True,
    )
    module = _module(_config())
    initialize_from_voice(module, tmp_path)
    for name, tensor in source.state_dict().items():
        loaded = module.model.state_dict()[name]
        assert torch.allclose(loaded.float(), tensor.half().float()), name


def test_mismatched_config_is_refused(tmp_path):
    source = AcousticModel(AcousticConfig.from_dict(_config()))
    save_voice(tmp_path, source, audio_config=AudioConfig(), language="en-us", symbols=["_"] * 30)
    with pytest.raises(ConfigError, match="labels"):
        initialize_from_voice(_module(_config(labels=["neutral", "sad"])), tmp_path)


def test_voice_statistics_are_kept_when_continuing(tmp_path):
    source = AcousticModel(AcousticConfig.from_dict(_config(pitch_mean=5.5)))
    save_voice(tmp_path, source, audio_config=AudioConfig(), language="en-us", symbols=["_"] * 30)
    adopted = adopt_voice_statistics(_config(pitch_mean=5.1), tmp_path)
    assert adopted["pitch_mean"] == 5.5
    initialize_from_voice(_module(adopted), tmp_path)
