"""A tiny frame-pitch voice (model.pitch_target: frame) really trains and obeys pitch controls.

Trained on the espeak tiny corpus (tests/conftest.py): the frame predictor's loss ("pitch",
voiced frames only) must fall, and the rendered audio's median F0 must follow the global
pitch shift: +4 semitones raises it by 4 st within 1.5 st (F0 measured on the waveform with
the same tracker the cache uses; the vocoder and the tracker's octave quantization make it
inexact).
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


@pytest.mark.slow
def test_frame_pitch_voice_learns_its_contour_and_follows_the_shift(
    tiny_corpus: Path, tmp_path: Path
) -> None:
    torch.manual_seed(0)
    config_path = tmp_path / "recipe.yaml"
    config_path.write_text(RECIPE.format(manifest=tiny_corpus, steps=300), encoding="utf-8")
    train(load_config(config_path), progress=False)

    series = [value for _, value in read_training_log(tmp_path / "run").series["train/pitch"]]
    assert len(series) >= 10, series
    first, last = np.mean(series[:3]), np.mean(series[-5:])
    assert last < 0.6 * first, (first, last)

    voice = Voice.load(tmp_path / "run" / "voice")
    assert voice.model.config.pitch_target == "frame"
    emotion = EmotionSpec.neutral()
    base = _median_f0(voice.synthesize(TEXT, emotion).samples)
    up = _median_f0(voice.synthesize(TEXT, emotion, pitch_shift=4.0).samples)
    semitones = 12.0 * math.log2(up / base)
    assert 2.5 <= semitones <= 5.5, (base, up, semitones)
