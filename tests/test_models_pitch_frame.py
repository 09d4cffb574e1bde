"""model.pitch_target: frame: the target contour, the frame predictor and the pitch controls.

Untrained models with perturbed conditional norms (`make_conditions_visible`) so every input
reaches the output; the controls are exact transforms of the predicted contour, so they are
checked exactly, and the training losses are checked on a synthetic batch.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from emotts.errors import ConfigError
from emotts.models import AcousticConfig, AcousticModel
from emotts.models.alignment import durations_to_alignment
from emotts.models.pitch_contour import (
    frame_pitch_target,
    frame_positions,
    interpolate_unvoiced,
    phoneme_means,
    to_frames,
)
from emotts.models.untrained import PITCH_STATS, make_conditions_visible
from emotts.synthesis.inputs import ACOUSTIC_INPUTS, neutral_inputs

LABELS = ["neutral", "happy"]


def _model(target: str, seed: int = 0) -> AcousticModel:
    torch.manual_seed(seed)
    config = AcousticConfig.preset(
        "tiny",
        n_symbols=40,
        labels=LABELS,
        speakers=["a", "b"],
        pitch_target=target,
        **PITCH_STATS,
    )
    model = AcousticModel(config)
    with torch.no_grad():
        model.variance_adaptor.duration.head.bias.fill_(math.log1p(5.0))
        model.variance_adaptor.duration.head.weight.mul_(0.1)
        make_conditions_visible(model)
    return model.eval()


def _inputs(**changes: np.ndarray | float) -> dict[str, torch.Tensor]:
    arrays = neutral_inputs(2, 9, len(LABELS))
    rng = np.random.default_rng(3)
    arrays["phoneme_ids"][:] = rng.integers(1, 40, size=(2, 9))
    arrays["phoneme_lengths"][:] = [9, 6]
    arrays["phoneme_ids"][1, 6:] = 0
    arrays["label_weights"][..., 0] = 1.0
    for name, value in changes.items():
        arrays[name][:] = value
    return {name: torch.from_numpy(array) for name, array in arrays.items()}


def _run(model: AcousticModel, inputs: dict[str, torch.Tensor]):
    with torch.no_grad():
        return model.regulate(*(inputs[name] for name in ACOUSTIC_INPUTS[:13]))


def test_phoneme_stays_the_default_and_unknown_targets_are_refused() -> None:
    config = AcousticConfig.preset(
        "tiny", n_symbols=40, labels=LABELS, speakers=["a"], **PITCH_STATS
    )
    assert config.pitch_target == "phoneme"
    data = config.to_dict()
    del data["pitch_target"]  # a config written before the key existed
    assert AcousticConfig.from_dict(data).pitch_target == "phoneme"
    with pytest.raises(ConfigError, match="pitch_target 'contour'.*accepted: phoneme, frame"):
        AcousticConfig.from_dict({**data, "pitch_target": "contour"})


def test_a_phoneme_voice_keeps_its_weight_names_and_a_frame_voice_has_no_unused_ones() -> None:
    phoneme, frame = _model("phoneme"), _model("frame")
    assert phoneme.frame_pitch is None
    assert "variance_adaptor.pitch.head.weight" in phoneme.state_dict()
    names = frame.state_dict().keys()
    assert not [name for name in names if name.startswith("variance_adaptor.pitch")]
    assert "frame_pitch.head.weight" in names


def test_shipped_voice_loads_unchanged() -> None:
    from emotts.models.checkpoint import load_acoustic_model
    from emotts.voices import resolve_voice

    model, _ = load_acoustic_model(resolve_voice(None))
    assert model.config.pitch_target == "phoneme" and model.frame_pitch is None


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.booleans(), st.floats(-3.0, 3.0, allow_nan=False)), min_size=1, max_size=30
    )
)
def test_interpolation_keeps_voiced_frames_and_stays_between_neighbours(frames) -> None:
    voiced = torch.tensor([[v for v, _ in frames]])
    values = torch.tensor([[x for _, x in frames]], dtype=torch.float32)
    filled = interpolate_unvoiced(values, voiced)[0]
    assert torch.equal(filled[voiced[0]], values[0][voiced[0]])
    if not voiced.any():
        assert torch.equal(filled, torch.zeros_like(filled))
        return
    measured = values[0][voiced[0]]
    assert filled.min() >= measured.min() - 1e-6 and filled.max() <= measured.max() + 1e-6
    reference = np.interp(
        np.arange(len(frames)), np.flatnonzero(voiced[0].numpy()), measured.numpy()
    )
    np.testing.assert_allclose(filled.numpy(), reference, atol=1e-5)


def test_target_is_normalized_log_f0_with_a_voiced_mask() -> None:
    f0 = torch.tensor([[0.0, 100.0, 0.0, 400.0, 0.0, 50.0]])
    mask = torch.tensor([[True] * 5 + [False]])
    contour, voiced = frame_pitch_target(f0, mask, pitch_mean=math.log(200.0), pitch_std=0.5)
    assert voiced.tolist() == [[False, True, False, True, False, False]]
    octave = math.log(2.0) / 0.5
    np.testing.assert_allclose(
        contour[0].numpy(), [-octave, -octave, 0.0, octave, octave, 0.0], atol=1e-5
    )


def test_positions_and_phoneme_means_follow_the_durations() -> None:
    durations = torch.tensor([[2, 0, 3], [1, 1, 0]])
    alignment = durations_to_alignment(durations, 5)
    positions = frame_positions(durations, alignment)
    np.testing.assert_allclose(positions[0, :, 0].numpy(), [0, 0.5, 0, 1 / 3, 2 / 3], atol=1e-6)
    np.testing.assert_allclose(positions[0, :, 1].numpy(), [0, 0.2, 0.4, 0.6, 0.8], atol=1e-6)
    np.testing.assert_allclose(positions[1, :, 1].numpy(), [0, 0.5, 0, 0, 0], atol=1e-6)
    frames = to_frames(torch.tensor([[1.0, 7.0, 3.0], [2.0, 4.0, 9.0]]), alignment)
    assert frames.tolist() == [[1, 1, 3, 3, 3], [2, 4, 0, 0, 0]]
    means = phoneme_means(frames, alignment)
    assert means.tolist() == [[1, 0, 3], [2, 4, 0]]


def test_global_shift_moves_the_frame_contour_by_exactly_the_semitones() -> None:
    model = _model("frame")
    base = _run(model, _inputs())
    shifted = _run(model, _inputs(pitch_shift=4.0))
    assert torch.equal(base.durations, shifted.durations)
    semitone = math.log(2.0) / 12.0 / model.config.pitch_std
    difference = (shifted.frame_pitch - base.frame_pitch)[base.mask]
    np.testing.assert_allclose(difference.numpy(), 4.0 * semitone, atol=1e-5)
    assert not shifted.frame_pitch[~base.mask].any()  # padding stays 0
    # The contour reaches the decoder: the mel moves.
    with torch.no_grad():
        mel = model.decoder.generate(base.frames, base.mask, base.frame_condition)
        mel_shifted = model.decoder.generate(shifted.frames, shifted.mask, shifted.frame_condition)
    assert (mel - mel_shifted).abs().max() > 1e-3


def test_ssml_spans_shift_and_flatten_only_their_phonemes_frames() -> None:
    model = _model("frame")
    base = _run(model, _inputs())
    shift = np.zeros((2, 9), np.float32)
    shift[0, 2:4] = -3.0
    spanned = _run(model, _inputs(pitch_shift=shift))
    to_frame_shift = to_frames(torch.from_numpy(shift), base.alignment)
    semitone = math.log(2.0) / 12.0 / model.config.pitch_std
    expected = base.frame_pitch + to_frame_shift * semitone
    torch.testing.assert_close(spanned.frame_pitch, expected, atol=1e-5, rtol=0)
    assert (to_frame_shift[0] != 0).sum() >= 2  # the span covers real frames

    flat = _run(model, _inputs(pitch_range=0.0)).frame_pitch
    for row in range(2):
        real = flat[row][base.mask[row]]
        mean = base.frame_pitch[row][base.mask[row]].mean()
        torch.testing.assert_close(real, mean.expand_as(real), atol=1e-5, rtol=0)
    assert base.frame_pitch[base.mask].std() > 1e-3  # there was movement to flatten


def test_phoneme_pitch_output_is_the_mean_of_each_phonemes_frames() -> None:
    model = _model("frame")
    regulated = _run(model, _inputs(pitch_shift=2.0))
    with torch.no_grad():
        outputs = model(*(_inputs(pitch_shift=2.0)[name] for name in ACOUSTIC_INPUTS))
    torch.testing.assert_close(
        outputs[3], phoneme_means(regulated.frame_pitch, regulated.alignment)
    )
    assert outputs[3].shape == (2, 9)


def test_training_losses_count_voiced_frames_and_reach_the_frame_predictor() -> None:
    model = _model("frame").train()
    torch.manual_seed(1)
    frames = 50
    f0 = 150.0 + 60.0 * torch.sin(torch.linspace(0, 6, frames)).expand(2, frames)
    f0 = torch.where(torch.rand(2, frames) > 0.3, f0, torch.zeros_like(f0))
    batch = {
        "phoneme_ids": torch.randint(1, 40, (2, 9)),
        "phoneme_lengths": torch.tensor([9, 7]),
        "mel": torch.randn(2, 80, frames),
        "mel_lengths": torch.tensor([50, 40]),
        "f0": f0,
        "energy": torch.rand(2, frames) * 20,
        "speaker_ids": torch.tensor([0, 1]),
        "has_label": torch.tensor([True, False]),
        "has_adv": torch.tensor([False, True]),
        "label_weights": torch.tensor([[1.0, 0.0], [0.0, 0.0]]),
        "adv": torch.tensor([[0.0, 0.0, 0.0], [0.5, 0.2, 0.7]]),
        "intensity": torch.tensor([1.0, 1.0]),
    }
    losses = model.training_losses(batch)
    assert torch.isfinite(losses["pitch"]) and losses["pitch"] > 0
    losses["pitch"].backward()
    assert model.frame_pitch.head.weight.grad.abs().sum() > 0
    # The target is what the pitch loss compares with: unvoiced frames do not count.
    assert model.frame_pitch.embedding.weight.grad is None
