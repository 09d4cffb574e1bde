"""A briefly trained model renders a high-pitched label with higher F0 than neutral.

The tiny corpus speaks "happy" at espeak pitch 85 and "neutral" at 35. After a short run the
model must (1) predict higher phoneme pitch for happy than neutral, with intensity 0.5 in
between, and (2) produce audio whose measured F0 follows the same order.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from emotts.audio.config import AudioConfig
from emotts.audio.features import extract_f0
from emotts.backends.torch_voice import Voice
from emotts.emotion.spec import EmotionSpec
from emotts.train.config import load_config
from emotts.train.run import train

RECIPE = """\
data: {{manifest: {manifest}, cache_dir: cache, language: en-us,
       labels: [neutral, happy], speakers: [espeak]}}
model: {{preset: tiny}}
train: {{output_dir: run, batch_size: 8, max_steps: {steps}, learning_rate: 0.005, warmup_steps: 20,
        val_every_n_steps: 1000, checkpoint_every_n_steps: 1000, log_audio_every_n_steps: 0,
        num_workers: 0}}
"""
TEXT = "We walked home in the rain."


def _median_f0(samples: np.ndarray) -> float:
    f0 = extract_f0(samples, AudioConfig())
    voiced = f0[f0 > 0]
    assert voiced.size > 10, "the synthesized audio has almost no voiced frames"
    return float(np.median(voiced))


@pytest.mark.slow
def test_label_pitch_is_learned_and_intensity_interpolates(
    tiny_corpus: Path, tmp_path: Path
) -> None:
    torch.manual_seed(0)
    torch.set_num_threads(2)
    config_path = tmp_path / "recipe.yaml"
    config_path.write_text(RECIPE.format(manifest=tiny_corpus, steps=400), encoding="utf-8")
    train(load_config(config_path), progress=False)
    voice = Voice.load(tmp_path / "run" / "voice")

    def predicted_pitch(emotion: EmotionSpec) -> float:
        sentence = voice.frontend.process(TEXT, emotion)
        from emotts.synthesis.controls import SynthesisControls
        from emotts.synthesis.inputs import ACOUSTIC_INPUTS, build_inputs

        arrays = build_inputs(sentence, voice.labels, 0, SynthesisControls())
        with torch.inference_mode():
            _, _, durations, pitch, _ = voice.model(
                *(torch.from_numpy(arrays[n]) for n in ACOUSTIC_INPUTS)
            )
        weights = durations.float()
        return float((pitch * weights).sum() / weights.sum())

    neutral = predicted_pitch(EmotionSpec.neutral())
    half = predicted_pitch(EmotionSpec.label("happy", intensity=0.5))
    happy = predicted_pitch(EmotionSpec.label("happy"))
    assert neutral < half < happy, (neutral, half, happy)

    f0 = {
        name: _median_f0(voice.synthesize(TEXT, emotion).samples)
        for name, emotion in (
            ("neutral", EmotionSpec.neutral()),
            ("half", EmotionSpec.label("happy", intensity=0.5)),
            ("happy", EmotionSpec.label("happy")),
        )
    }
    assert f0["happy"] > 1.2 * f0["neutral"], f0
    assert f0["neutral"] < f0["half"] < f0["happy"], f0
