"""A tiny frame-pitch voice (model.pitch_target: frame) really trains and obeys pitch controls.

Trained on the espeak tiny corpus (tests/conftest.py): the frame predictor's loss ("pitch",
voiced frames only) must fall, the trained predictor must draw a contour that a +4 st shift
raises by 4 st. The audio check (+4 st raises the rendered median F0 by 4 +- 1.5 st) is a
strict xfail: at this size and step count the decoder does not yet follow the embedding.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import torch

from emotts.audio.config import AudioConfig
from emotts.audio.features import extract_f0
from emotts.backends.torch_voice import Voice
from emotts.emotion.spec import EmotionSpec
from emotts.train.config import load_config
from emotts.train.log_summary import read_training_log
from emotts.train.run import train

RECIPE = """\
data: {{manifest: {manifest}, cache_dir: cache, language: en-us,
       labels: [neutral, happy], speakers: [espeak]}}
model: {{preset: tiny, pitch_target: frame}}
train: {{output_dir: run, batch_size: 8, max_steps: {steps}, learning_rate: 0.005, warmup_steps: 20,
        val_every_n_steps: 1000, checkpoint_every_n_steps: 1000, log_audio_every_n_steps: 0,
        log_every_n_steps: 10, num_workers: 0}}
"""
TEXT = "We walked home in the rain."


def _median_f0(samples: np.ndarray) -> float:
    f0 = extract_f0(samples, AudioConfig())
    voiced = f0[f0 > 0]
    assert voiced.size > 10, "the synthesized audio has almost no voiced frames"
    return float(np.median(voiced))


@pytest.fixture(scope="module")
def trained(tiny_corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The run directory of a tiny frame voice trained 300 steps (once per module)."""
    torch.manual_seed(0)
    root = tmp_path_factory.mktemp("frame_pitch_run")
    config_path = root / "recipe.yaml"
    config_path.write_text(RECIPE.format(manifest=tiny_corpus, steps=300), encoding="utf-8")
    train(load_config(config_path), progress=False)
    return root / "run"


def _contour(voice: Voice, shift: float) -> torch.Tensor:
    from emotts.synthesis.controls import SynthesisControls
    from emotts.synthesis.inputs import ACOUSTIC_INPUTS, build_inputs

    sentences = voice.frontend.process(TEXT, EmotionSpec.neutral())
    arrays = build_inputs(sentences, voice.labels, 0, SynthesisControls(pitch_shift=shift))
    with torch.no_grad():
        regulated = voice.model.regulate(
            *(torch.from_numpy(arrays[name]) for name in ACOUSTIC_INPUTS[:13])
        )
    return regulated.frame_pitch[regulated.mask]


@pytest.mark.slow
def test_frame_predictor_learns_and_its_contour_follows_the_shift(trained: Path) -> None:
    series = [value for _, value in read_training_log(trained).series["train/pitch"]]
    assert len(series) >= 10, series
    first, last = np.mean(series[:3]), np.mean(series[-5:])
    assert last < 0.6 * first, (first, last)

    voice = Voice.load(trained / "voice")
    assert voice.model.config.pitch_target == "frame"
    std = voice.model.config.pitch_std
    base, up = _contour(voice, 0.0), _contour(voice, 4.0)
    assert base.std() * std * 1200 / math.log(2.0) > 5.0  # a contour (cents), not a flat line
    semitones = float((up.median() - base.median()) * std * 12.0 / math.log(2.0))
    assert abs(semitones - 4.0) < 0.01, semitones


@pytest.mark.slow
@pytest.mark.xfail(
    strict=True,
    reason="after 300 tiny steps the decoder renders the emotion condition, not the pitch "
    "embedding: +4 st moved the audio's median F0 by +0.03 st (77.83 -> 77.97 Hz); "
    "not yet shown for a longer-trained frame voice",
)
def test_rendered_audio_follows_the_shift(trained: Path) -> None:
    voice = Voice.load(trained / "voice")
    emotion = EmotionSpec.neutral()
    base = _median_f0(voice.synthesize(TEXT, emotion).samples)
    up = _median_f0(voice.synthesize(TEXT, emotion, pitch_shift=4.0).samples)
    semitones = 12.0 * math.log2(up / base)
    assert 2.5 <= semitones <= 5.5, (base, up, semitones)
