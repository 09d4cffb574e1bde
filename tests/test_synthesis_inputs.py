"""The one definition of the acoustic inputs: every consumer follows ACOUSTIC_INPUT_SPECS."""

from __future__ import annotations

import inspect

import numpy as np
import pytest
import torch

from emotts.emotion.labels import LABELS
from emotts.emotion.spec import EmotionSpec
from emotts.models import AcousticConfig, AcousticModel
from emotts.models.annotations import annotation_controls, training_inputs
from emotts.synthesis.controls import SynthesisControls
from emotts.synthesis.inputs import (
    ACOUSTIC_INPUT_SPECS,
    ACOUSTIC_INPUTS,
    build_inputs,
    neutral_inputs,
)
from emotts.text.frontend import TextFrontend
from emotts.text.symbols import SymbolTable, default_symbols


def _model() -> AcousticModel:
    torch.manual_seed(0)
    config = AcousticConfig.preset(
        "tiny",
        n_symbols=len(default_symbols()),
        labels=list(LABELS),
        speakers=["a", "b"],
        pitch_mean=5.3,
        pitch_std=0.25,
        energy_mean=20.0,
        energy_std=10.0,
    )
    return AcousticModel(config).eval()


def test_model_forward_signature_is_the_spec():
    parameters = tuple(inspect.signature(AcousticModel.forward).parameters)[1:]
    assert parameters == ACOUSTIC_INPUTS


def test_neutral_inputs_follow_names_dtypes_shapes_and_values():
    arrays = neutral_inputs(batch=3, phonemes=5, labels=7)
    assert tuple(arrays) == ACOUSTIC_INPUTS
    for spec in ACOUSTIC_INPUT_SPECS:
        array = arrays[spec.name]
        assert array.dtype == np.dtype(spec.dtype), spec.name
        assert array.shape == spec.shape(3, 5, 7), spec.name
        assert np.all(array == spec.neutral), spec.name


def test_build_inputs_fills_every_source_and_pads_with_neutral_values():
    frontend = TextFrontend(SymbolTable.from_list(default_symbols()), "en-us")
    sentences = frontend.process("Hello there. Go.", EmotionSpec.label("happy", intensity=0.5))
    controls = SynthesisControls(speed=1.3, pitch_shift=2.0, pitch_range=0.5, energy_scale=1.5)
    arrays = build_inputs(sentences, list(LABELS), 1, controls, target_frames=[40, 9])
    short = len(sentences[1].phoneme_ids)
    assert arrays["phoneme_lengths"].tolist() == [len(s.phoneme_ids) for s in sentences]
    assert arrays["speaker_ids"].tolist() == [1, 1]
    assert arrays["target_frames"].tolist() == [40, 9]
    for name in ("speed", "energy_scale"):
        assert np.allclose(arrays[name], getattr(controls, name)), name
    for name in ("pitch_shift", "pitch_range"):  # per phoneme: the global value on real phonemes
        for row, sentence in enumerate(sentences):
            n = len(sentence.phoneme_ids)
            assert np.allclose(arrays[name][row, :n], getattr(controls, name)), name
    happy = LABELS.index("happy")
    assert np.allclose(arrays["label_weights"][1, :short, happy], 1.0)
    assert np.allclose(arrays["intensity"][1, :short], 0.5)
    # Padding of the shorter row is the spec's neutral value, for every per-phoneme input.
    for spec in ACOUSTIC_INPUT_SPECS:
        if len(spec.axes) > 1:
            assert np.all(arrays[spec.name][1, short:] == spec.neutral), spec.name
    for spec in ACOUSTIC_INPUT_SPECS:
        assert arrays[spec.name].dtype == np.dtype(spec.dtype), spec.name


def _annotated_batch() -> dict[str, torch.Tensor]:
    k = len(LABELS)
    weights = torch.zeros(4, k)
    weights[0, LABELS.index("happy")] = 1.0
    weights[3, LABELS.index("sad")] = 1.0
    return {
        "phoneme_ids": torch.randint(1, 20, (4, 6)),
        "phoneme_lengths": torch.tensor([6, 5, 4, 6]),
        "speaker_ids": torch.tensor([0, 1, 0, 1]),
        "label_weights": weights,
        # rows: label only, ADV only, neither, label and ADV
        "has_label": torch.tensor([True, False, False, True]),
        "has_adv": torch.tensor([False, True, False, True]),
        "adv": torch.tensor([[0, 0, 0], [0.5, 0.2, -0.3], [0, 0, 0], [-0.4, -0.3, -0.6]]),
        "intensity": torch.tensor([1.5, 0.7, 1.0, 0.8]),
    }


@pytest.mark.parametrize("prefer_adv", [False, True])
def test_annotation_controls_read_labels_adv_and_neutral(prefer_adv):
    batch = _annotated_batch()
    neutral = LABELS.index("neutral")
    choice = torch.full((4,), prefer_adv)
    controls = annotation_controls(batch, 6, neutral, choice)
    use_adv = controls["use_adv"][:, 0].tolist()
    assert use_adv == [0.0, 1.0, 0.0, 1.0 if prefer_adv else 0.0]
    assert controls["label_weights"][2, 0, neutral] == 1.0  # unannotated -> neutral
    assert controls["intensity"][1, 0] == 1.0  # an ADV path uses the realized ADV as is
    assert controls["intensity"][0, 0] == pytest.approx(1.5)
    assert all(t.shape[:2] == (4, 6) for t in controls.values())


def test_training_inputs_run_the_model_with_label_preferred():
    batch = _annotated_batch()
    model = _model()
    inputs = training_inputs(batch, LABELS.index("neutral"))
    assert tuple(inputs) == ACOUSTIC_INPUTS
    assert inputs["use_adv"][3, 0] == 0.0
    with torch.no_grad():
        mel, mel_lengths, durations, *_ = model(**inputs)
    assert mel.shape[0] == 4 and torch.equal(mel_lengths, durations.sum(dim=1))
