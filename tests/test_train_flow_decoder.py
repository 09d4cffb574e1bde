"""`decoder: {type: flow}` in a recipe trains for real: the flow loss falls, and the voice it
writes samples finite mels of the predicted length; `--init-from` a regression voice keeps
its frozen encoder bit for bit."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from emotts.backends.torch_voice import Voice
from emotts.emotion.spec import EmotionSpec
from emotts.models.decoders.flow import FlowDecoder
from emotts.synthesis.controls import SynthesisControls
from emotts.synthesis.inputs import build_inputs
from emotts.train.config import load_config
from emotts.train.run import train

RECIPE = """\
data: {{manifest: {manifest}, cache_dir: cache, language: en-us,
       labels: [neutral, happy], speakers: [espeak]}}
model: {{preset: tiny{decoder}}}
train: {{output_dir: {output}, batch_size: 8, max_steps: {steps}, learning_rate: 0.005,
        warmup_steps: 5, val_every_n_steps: 1000, checkpoint_every_n_steps: 1000,
        log_every_n_steps: 1, log_audio_every_n_steps: 0, num_workers: 0{freeze}}}
"""
FROZEN = "[emotion_encoder, speaker_embedding, text_encoder, variance_adaptor, aligner]"


def _scalars(log_dir: Path, tag: str) -> list[float]:
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    events = EventAccumulator(str(log_dir), size_guidance={"scalars": 0})
    events.Reload()
    return [event.value for event in events.Scalars(tag)]


def _recipe(tmp_path: Path, manifest: Path, name: str, steps: int, flow: bool) -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(
        RECIPE.format(
            manifest=manifest,
            output=name,
            steps=steps,
            decoder=", decoder: {type: flow, layers: 2, inner: 128}" if flow else "",
            freeze=f", freeze: {FROZEN}" if flow else "",
        ),
        encoding="utf-8",
    )
    return path


@pytest.mark.slow
def test_flow_voice_trains_on_a_frozen_regression_voice(tiny_corpus: Path, tmp_path: Path):
    torch.manual_seed(0)
    torch.set_num_threads(2)
    base = _recipe(tmp_path, tiny_corpus, "base", 30, flow=False)
    train(load_config(base), progress=False)
    base_voice = tmp_path / "base" / "voice"

    flow = _recipe(tmp_path, tiny_corpus, "flow", 60, flow=True)
    train(load_config(flow), progress=False, init_from=base_voice)

    losses = _scalars(tmp_path / "flow" / "tensorboard", "train/mel")
    first, last = np.mean(losses[:5]), np.mean(losses[-15:])
    assert last < 0.7 * first, f"flow loss fell only from {first:.3f} to {last:.3f}"

    regression, voice = Voice.load(base_voice), Voice.load(tmp_path / "flow" / "voice")
    assert isinstance(voice.model.decoder, FlowDecoder)
    for name, tensor in regression.model.state_dict().items():
        if not name.startswith("decoder."):
            assert torch.equal(voice.model.state_dict()[name], tensor), name

    sentences = voice.frontend.process("The cat sat on the mat.", EmotionSpec.label("happy"))
    inputs = build_inputs(sentences, voice.labels, 0, SynthesisControls())
    outputs, reference = voice.run_acoustic(inputs), regression.run_acoustic(inputs)
    frames = int(outputs["mel_lengths"][0])
    assert frames == int(outputs["durations"][0].sum()) > 20
    np.testing.assert_array_equal(outputs["durations"], reference["durations"])
    mel = outputs["mel"][0, :, :frames]
    assert np.isfinite(mel).all()
    # Trained, the sampled mel lies in the log-mel range of speech, not at the noise's scale.
    assert -12.0 < float(mel.mean()) < 0.0 and float(mel.std()) < 4.0
