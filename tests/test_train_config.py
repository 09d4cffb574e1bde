"""Training config: YAML -> typed dataclasses, with errors that name the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from emotts.errors import ConfigError
from emotts.train.config import load_config

RECIPE = """\
data: {manifest: manifest.jsonl, cache_dir: cache, language: en-us,
       labels: [neutral, happy], speakers: [spk1]}
model: {preset: default}
train: {output_dir: runs/x, batch_size: 16, max_steps: 40000}
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "recipe.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_recipe_shape_loads_with_paths_relative_to_the_yaml(tmp_path: Path) -> None:
    config = load_config(_write(tmp_path, RECIPE))
    assert config.data.manifest == tmp_path.resolve() / "manifest.jsonl"
    assert config.data.cache_dir == tmp_path.resolve() / "cache"
    assert config.train.output_dir == tmp_path.resolve() / "runs/x"
    assert config.data.labels == ["neutral", "happy"]
    assert config.model.preset == "default" and config.model.overrides == {}
    assert config.train.batch_size == 16 and config.train.max_steps == 40000
    assert isinstance(config.train.learning_rate, float)


def test_model_overrides_and_numeric_coercion(tmp_path: Path) -> None:
    text = RECIPE.replace("{preset: default}", "{preset: tiny, hidden: 32}")
    text = text.replace("max_steps: 40000", "max_steps: 10, learning_rate: 1, grad_clip: 0.5")
    config = load_config(_write(tmp_path, text))
    assert config.model.overrides == {"hidden": 32}
    assert config.train.learning_rate == 1.0


@pytest.mark.parametrize(
    ("old", "new", "needle"),
    [
        ("batch_size: 16", "batch_size: 16, batchsize: 3", "'train.batchsize'"),
        ("batch_size: 16", "batch_size: sixteen", "'train.batch_size'"),
        ("batch_size: 16", "batch_size: true", "an integer"),
        ("language: en-us", "language: 5", "'data.language'"),
        ("speakers: [spk1]", "speakers: spk1", "a list of strings"),
        ("max_steps: 40000", "max_steps: 0", "'train.max_steps'"),
        ("max_steps: 40000", "max_steps: 1, precision: fp8", "bf16-mixed"),
        ("max_steps: 40000", "max_steps: 1, accelerator: tpu", "cpu"),
        ("manifest: manifest.jsonl, ", "", "'data.manifest' is required"),
        ("max_steps: 40000", "max_steps: 1, devices: 0", "'train.devices' is 0"),
        ("max_steps: 40000", "max_steps: 1, devices: two", "a list of GPU indices"),
        ("max_steps: 40000", "max_steps: 1, devices: [0, 0]", "distinct GPU indices"),
        ("max_steps: 40000", "max_steps: 1, devices: [0, 1]", "needs 'train.accelerator' gpu"),
        ("max_steps: 40000", "max_steps: 1, strategy: fsdp", "ddp, ddp_spawn"),
        ("max_steps: 40000", "max_steps: 1, num_nodes: 0", "'train.num_nodes' is 0"),
        ("max_steps: 40000", "max_steps: 1, num_nodes: 1.5", "'train.num_nodes'"),
    ],
)
def test_errors_name_the_key_and_what_is_accepted(
    tmp_path: Path, old: str, new: str, needle: str
) -> None:
    with pytest.raises(ConfigError, match="accepted|required") as info:
        load_config(_write(tmp_path, RECIPE.replace(old, new)))
    assert needle in str(info.value)


def test_distribution_keys(tmp_path: Path) -> None:
    assert load_config(_write(tmp_path, RECIPE)).train.devices == "auto"
    text = RECIPE.replace(
        "max_steps: 40000",
        "max_steps: 1, accelerator: gpu, devices: [0, 3], strategy: ddp, num_nodes: 2",
    )
    settings = load_config(_write(tmp_path, text)).train
    assert (settings.devices, settings.strategy, settings.num_nodes) == ([0, 3], "ddp", 2)
    text = RECIPE.replace("max_steps: 40000", "max_steps: 1, devices: 2")
    assert load_config(_write(tmp_path, text)).train.devices == 2


def test_unknown_section_and_bad_yaml(tmp_path: Path) -> None:
    with pytest.raises(
        ConfigError, match="unknown config section 'optim'.*accepted: data, model, train"
    ):
        load_config(_write(tmp_path, RECIPE + "optim: {}\n"))
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(_write(tmp_path, "data: [\n"))
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "missing.yaml")
