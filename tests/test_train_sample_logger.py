"""The sample callback: images and audio from `training_outputs`, nothing stored on the model."""

from __future__ import annotations

import torch

from emotts.audio.config import AudioConfig
from emotts.emotion.labels import LABELS
from emotts.models import AcousticConfig, AcousticModel
from emotts.train.callbacks import SampleLogger


class _Writer:
    def __init__(self) -> None:
        self.figures: dict[str, object] = {}
        self.audio: dict[str, torch.Tensor] = {}

    def add_figure(self, tag, figure, step) -> None:
        self.figures[tag] = figure

    def add_audio(self, tag, audio, step, sample_rate) -> None:
        assert sample_rate == 22050
        self.audio[tag] = audio


def _batch(n_phonemes: int = 7, n_frames: int = 40) -> dict[str, torch.Tensor]:
    k = len(LABELS)
    weights = torch.zeros(2, k)
    weights[0, LABELS.index("happy")] = 1.0
    return {
        "phoneme_ids": torch.randint(1, 20, (2, n_phonemes)),
        "phoneme_lengths": torch.tensor([n_phonemes, n_phonemes - 2]),
        "mel": torch.randn(2, 80, n_frames) - 5.0,
        "mel_lengths": torch.tensor([n_frames, n_frames - 8]),
        "f0": torch.full((2, n_frames), 180.0),
        "energy": torch.rand(2, n_frames) * 30.0,
        "speaker_ids": torch.zeros(2, dtype=torch.long),
        "label_weights": weights,
        "has_label": torch.tensor([True, False]),
        "adv": torch.zeros(2, 3),
        "has_adv": torch.tensor([False, False]),
        "intensity": torch.ones(2),
    }


def test_log_samples_writes_mels_alignment_and_audio_from_returned_outputs():
    torch.manual_seed(0)
    config = AcousticConfig.preset(
        "tiny",
        n_symbols=20,
        labels=list(LABELS),
        speakers=["a"],
        pitch_mean=5.2,
        pitch_std=0.3,
        energy_mean=15.0,
        energy_std=8.0,
    )
    model = AcousticModel(config)
    batch = _batch()
    outputs = model.training_outputs(batch)
    assert outputs.alignment.shape == (2, 7, 40)
    assert torch.equal(outputs.alignment.sum(dim=1)[0], torch.ones(40))  # each frame: 1 phoneme
    assert outputs.predicted_mel.shape == (2, 80, 40)
    assert not hasattr(model, "last_alignment") and not hasattr(model, "last_predicted_mel")

    writer = _Writer()
    logger = SampleLogger(batch, every_n_steps=1, audio_config=AudioConfig(), vocoder="griffinlim")
    logger.log_samples(writer, model, step=1)
    assert set(writer.figures) == {"sample/mel", "sample/alignment"}
    titles = [ax.get_title() for ax in writer.figures["sample/mel"].axes]
    assert titles == [
        "target mel",
        "teacher-forced prediction",
        "synthesized (predicted durations)",
    ]
    assert set(writer.audio) == {"sample/synthesized", "sample/target_vocoded"}
    target = writer.audio["sample/target_vocoded"]
    assert target.shape[-1] == 40 * 256 and target.abs().max() > 0
    assert model.training  # log_samples restores the mode it found
