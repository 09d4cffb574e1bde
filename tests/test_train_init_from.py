"""`emotts train --init-from VOICE` starts a run from a voice's weights (e.g. the shipped one);
`train.freeze` keeps named parts of it fixed."""

import pytest
import torch

from emotts.audio.config import AudioConfig
from emotts.errors import ConfigError
from emotts.models import AcousticConfig, AcousticModel
from emotts.models.checkpoint import save_voice
from emotts.train.config import load_config
from emotts.train.module import AcousticTrainingModule
from emotts.train.run import adopt_voice_statistics, initialize_from_voice

# Distinct placeholder symbols: a voice's symbol table must not repeat a name.
SYMBOLS = [f"s{i}" for i in range(30)]


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


def _module(config: dict, freeze: list[str] | None = None) -> AcousticTrainingModule:
    return AcousticTrainingModule(
        config, learning_rate=1e-3, warmup_steps=1, max_steps=10, freeze=freeze
    )


def test_weights_are_loaded(tmp_path):
    torch.manual_seed(1)
    source = AcousticModel(AcousticConfig.from_dict(_config()))
    save_voice(
        tmp_path,
        source,
        audio_config=AudioConfig(),
        language="en-us",
        symbols=SYMBOLS,
        half=True,
    )
    module = _module(_config())
    initialize_from_voice(module, tmp_path)
    for name, tensor in source.state_dict().items():
        loaded = module.model.state_dict()[name]
        assert torch.allclose(loaded.float(), tensor.half().float()), name


def test_mismatched_config_is_refused(tmp_path):
    source = AcousticModel(AcousticConfig.from_dict(_config()))
    save_voice(tmp_path, source, audio_config=AudioConfig(), language="en-us", symbols=SYMBOLS)
    with pytest.raises(ConfigError, match="labels"):
        initialize_from_voice(_module(_config(labels=["neutral", "sad"])), tmp_path)


def test_voice_statistics_are_kept_when_continuing(tmp_path):
    source = AcousticModel(AcousticConfig.from_dict(_config(pitch_mean=5.5)))
    save_voice(tmp_path, source, audio_config=AudioConfig(), language="en-us", symbols=SYMBOLS)
    adopted = adopt_voice_statistics(_config(pitch_mean=5.1), tmp_path)
    assert adopted["pitch_mean"] == 5.5
    initialize_from_voice(_module(adopted), tmp_path)


def test_a_different_decoder_starts_fresh_on_the_voice_weights(tmp_path):
    source = AcousticModel(AcousticConfig.from_dict(_config()))
    save_voice(tmp_path, source, audio_config=AudioConfig(), language="en-us", symbols=SYMBOLS)
    module = _module(_config(decoder_layers=3))
    fresh_decoder = {k: v.clone() for k, v in module.model.decoder.state_dict().items()}
    initialize_from_voice(module, tmp_path)
    loaded = module.model.state_dict()
    for name, tensor in source.state_dict().items():
        if not name.startswith("decoder."):
            assert torch.equal(loaded[name], tensor), name
    for name, tensor in fresh_decoder.items():
        assert torch.equal(loaded[f"decoder.{name}"], tensor), name
    with pytest.raises(ConfigError, match="differs from this recipe's in .*'hidden'"):
        initialize_from_voice(_module(_config(decoder_layers=3, hidden=32)), tmp_path)


FROZEN = ["emotion_encoder", "text_encoder", "variance_adaptor"]


def test_frozen_parts_are_left_out_of_the_optimizer_and_stay_in_eval_mode():
    module = _module(_config(), FROZEN)
    optimizer = module.configure_optimizers()["optimizer"]
    optimized = {id(p) for group in optimizer.param_groups for p in group["params"]}
    for name, part in module.model.named_children():
        ids = {id(p) for p in part.parameters()}
        assert (ids & optimized == set()) == (name in FROZEN), name
    module.train()
    assert not any(getattr(module.model, name).training for name in FROZEN)
    assert module.model.decoder.training and module.model.aligner.training

    before = {k: v.clone() for k, v in module.model.text_encoder.state_dict().items()}
    loss = sum(p.sum() for p in module.model.parameters())
    loss.backward()
    optimizer.step()
    after = module.model.text_encoder.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before)
    assert all(p.grad is None for p in module.model.text_encoder.parameters())


def test_unknown_part_names_are_rejected_with_the_accepted_ones():
    with pytest.raises(
        ConfigError, match=r"unknown model parts \['encoder'\]; accepted: .*text_encoder"
    ):
        _module(_config(), ["encoder"])


def test_freeze_is_read_from_the_recipe(tmp_path):
    recipe = tmp_path / "config.yaml"
    recipe.write_text(
        "data: {manifest: m.jsonl, cache_dir: cache}\n"
        "train: {output_dir: out, freeze: [text_encoder, aligner]}\n"
    )
    assert load_config(recipe).train.freeze == ["text_encoder", "aligner"]
    recipe.write_text(
        "data: {manifest: m.jsonl, cache_dir: cache}\ntrain: {output_dir: out, freeze: 3}\n"
    )
    with pytest.raises(ConfigError, match="train.freeze"):
        load_config(recipe)


def test_a_cast_grows_from_a_one_speaker_voice(tmp_path):
    source = AcousticModel(AcousticConfig.from_dict(_config(speakers=["b"])))
    save_voice(tmp_path, source, audio_config=AudioConfig(), language="en-us", symbols=SYMBOLS)
    module = _module(_config(speakers=["a", "b", "c"]))
    initialize_from_voice(module, tmp_path)
    table = module.model.speaker_embedding.weight.detach()
    theirs = source.speaker_embedding.weight.detach()
    # The known speaker keeps its row; new ones start near it and differ from each other.
    assert torch.equal(table[1], theirs[0])
    assert not torch.equal(table[0], table[2])
    assert (table[0] - theirs[0]).abs().max() < 0.5 * theirs.abs().max()
    loaded = module.model.state_dict()
    for name, tensor in source.state_dict().items():
        if name != "speaker_embedding.weight":
            assert torch.equal(loaded[name], tensor), name
    # Dropping a speaker is not growing: refused.
    with pytest.raises(ConfigError, match="speakers"):
        initialize_from_voice(_module(_config(speakers=["a", "c"])), tmp_path)
