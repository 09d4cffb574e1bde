"""`emotts train-vocoder` trains for real on a tiny corpus, resumes, and continues from weights."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from emotts.errors import ConfigError
from emotts.train.log_summary import read_training_log
from emotts.train.vocoder_config import load_vocoder_config, vocoder_config_from_dict
from emotts.train.vocoder_run import train_vocoder
from vocoders import VocosVocoder


def _config(tmp_path: Path, manifest: Path, steps: int, **train) -> Path:
    raw = {
        "data": {
            "manifests": [str(manifest)],
            "cache_dir": str(tmp_path / "cache"),
            "target": "recording",
            "segment_frames": 16,
        },
        "model": {"dim": 32, "intermediate_dim": 64, "layers": 2},
        "train": {
            "output_dir": str(tmp_path / "run"),
            "batch_size": 4,
            "max_steps": steps,
            "learning_rate": 0.005,
            "warmup_steps": 5,
            "val_every_n_steps": 1000,
            "checkpoint_every_n_steps": 20,
            "log_every_n_steps": 1,
            **train,
        },
    }
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = tmp_path / "vocoder.yaml"
    path.write_text(yaml.safe_dump(raw))
    return path


def test_tiny_vocoder_trains_resumes_and_continues_from_weights(tiny_corpus, tmp_path) -> None:
    config = load_vocoder_config(_config(tmp_path, tiny_corpus, steps=60))
    first = train_vocoder(config, progress=False)
    assert first.global_step == 60 and first.resumed_from is None
    log = read_training_log(tmp_path / "run")
    start, end = log.value_at("train/loss", 3, window=3), log.value_at("train/loss", 60, window=5)
    assert end < 0.85 * start, (start, end)
    weights = VocosVocoder.from_directory(first.vocoder_dir)
    assert weights.settings.dim == 32

    resumed = train_vocoder(config, max_steps=65, progress=False)
    assert resumed.resumed_from is not None and resumed.global_step == 65

    fresh = load_vocoder_config(_config(tmp_path / "second", tiny_corpus, steps=1))
    continued = train_vocoder(fresh, progress=False, init_from=first.vocoder_dir)
    assert continued.global_step == 1
    again = VocosVocoder.from_directory(continued.vocoder_dir)
    # One small step from the first run's weights, not from a fresh initialisation.
    drift = max(
        (a.float() - b.float()).abs().max().item()
        for a, b in zip(weights.state_dict().values(), again.state_dict().values(), strict=True)
    )
    assert drift < 0.05


def test_config_errors_name_the_key_and_what_is_accepted(tmp_path) -> None:
    base = {"data": {"manifests": ["m.jsonl"], "cache_dir": "c"}, "train": {"output_dir": "r"}}
    with pytest.raises(ConfigError, match="'data.target' is 'hifigan'; accepted: teacher"):
        vocoder_config_from_dict({**base, "data": {**base["data"], "target": "hifigan"}}, tmp_path)
    with pytest.raises(ConfigError, match="unknown config section 'optimizer'"):
        vocoder_config_from_dict({**base, "optimizer": {}}, tmp_path)
    with pytest.raises(ConfigError, match="'train.batch_size' must be an integer >= 1"):
        vocoder_config_from_dict({**base, "train": {"output_dir": "r", "batch_size": 0}}, tmp_path)
    with pytest.raises(ConfigError, match="does not exist"):
        load_vocoder_config(tmp_path / "missing.yaml")
