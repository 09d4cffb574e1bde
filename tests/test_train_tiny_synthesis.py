"""A tiny model trained for real on a handful of utterances: loss falls, then it speaks.

This is the default-run end-to-end check of training: cache -> Lightning -> voice directory ->
`Voice` -> audio whose length follows the predicted durations.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from emotts.backends.torch_voice import Voice
from emotts.emotion.spec import EmotionSpec
from emotts.synthesis.controls import SynthesisControls
from emotts.synthesis.inputs import build_inputs
from emotts.train.config import load_config
from emotts.train.run import train

RECIPE = """\
data: {{manifest: {manifest}, cache_dir: cache, language: en-us,
       labels: [neutral, happy], speakers: [espeak]}}
model: {{preset: tiny}}
train: {{output_dir: run, batch_size: 8, max_steps: 150, learning_rate: 0.005, warmup_steps: 10,
        val_every_n_steps: 1000, checkpoint_every_n_steps: 1000, log_every_n_steps: 1,
        log_audio_every_n_steps: 0, num_workers: 0}}
"""


def _losses(log_dir: Path) -> list[float]:
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    events = EventAccumulator(str(log_dir), size_guidance={"scalars": 0})
    events.Reload()
    return [event.value for event in events.Scalars("train/loss")]


def test_tiny_model_learns_and_speaks(tiny_corpus: Path, tmp_path: Path) -> None:
    torch.manual_seed(0)
    torch.set_num_threads(2)
    config = tmp_path / "recipe.yaml"
    config.write_text(RECIPE.format(manifest=tiny_corpus), encoding="utf-8")
    train(load_config(config), progress=False)

    losses = _losses(tmp_path / "run" / "tensorboard")
    first, last = np.mean(losses[:3]), np.mean(losses[-10:])
    assert last <= 0.5 * first, f"loss fell only from {first:.2f} to {last:.2f}"

    voice = Voice.load(tmp_path / "run" / "voice")
    text = "The cat sat on the mat."
    voice_emotion = EmotionSpec.neutral()
    sentences = voice.frontend.process(text, voice_emotion)
    outputs = voice.run_acoustic(build_inputs(sentences, voice.labels, 0, SynthesisControls()))
    predicted_frames = int(outputs["durations"][0].sum())
    assert predicted_frames == int(outputs["mel_lengths"][0]) > 20

    audio = voice.synthesize(text, voice_emotion)
    assert len(audio.samples) == predicted_frames * voice.audio_config.hop_length
    assert np.sqrt(np.mean(audio.samples**2)) > 0.01, "synthesized audio is silent"
    assert [w.word for w in audio.words] == ["The", "cat", "sat", "on", "the", "mat"]
