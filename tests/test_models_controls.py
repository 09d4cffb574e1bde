"""Duration, pitch and energy controls of the variance adaptor."""

import math

import numpy as np
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from emotts.models.variance_adaptor import control_durations, control_energy, control_pitch


@settings(max_examples=200, deadline=None)
@given(
    lengths=st.lists(st.integers(1, 40), min_size=1, max_size=4),
    target=st.integers(1, 3000),
    seed=st.integers(0, 10_000),
    speed=st.floats(0.25, 4.0),
)
def test_target_frames_are_met_exactly(lengths, target, seed, speed):
    generator = torch.Generator().manual_seed(seed)
    batch, width = len(lengths), max(lengths)
    log_durations = torch.rand(batch, width, generator=generator) * 4 - 1
    mask = torch.arange(width).unsqueeze(0) < torch.tensor(lengths).unsqueeze(1)
    scale = torch.rand(batch, width, generator=generator) * 3
    durations = control_durations(
        log_durations, mask, scale, torch.full((batch,), speed), torch.full((batch,), target)
    )
    assert durations.dtype == torch.int64
    assert durations.sum(dim=1).tolist() == [target] * batch
    assert (durations[~mask] == 0).all()
    assert (durations >= 0).all()


def test_degenerate_prediction_still_meets_target():
    mask = torch.ones(1, 5, dtype=torch.bool)
    durations = control_durations(
        torch.full((1, 5), -5.0), mask, torch.ones(1, 5), torch.ones(1), torch.tensor([12])
    )
    assert durations.sum().item() == 12
    assert durations.max() - durations.min() <= 1


def test_speed_and_duration_scale_change_length_as_documented():
    mask = torch.ones(1, 10, dtype=torch.bool)
    log_durations = torch.full((1, 10), math.log1p(6.0))
    natural = control_durations(
        log_durations, mask, torch.ones(1, 10), torch.ones(1), torch.zeros(1)
    ).sum()
    faster = control_durations(
        log_durations, mask, torch.ones(1, 10), torch.full((1,), 2.0), torch.zeros(1)
    ).sum()
    stretched = torch.ones(1, 10)
    stretched[0, :5] = 2.0
    longer = control_durations(log_durations, mask, stretched, torch.ones(1), torch.zeros(1)).sum()
    assert natural.item() == 60
    assert faster.item() == 30
    assert longer.item() == 90


def test_pitch_shift_is_in_semitones_and_range_scales_deviation():
    pitch_std = 0.25
    pitch = torch.tensor([[0.0, 1.0, -1.0, 0.0]])
    mask = torch.tensor([[True, True, True, False]])
    shifted = control_pitch(pitch, mask, torch.tensor([12.0]), torch.ones(1), pitch_std)
    # +12 semitones doubles F0: log-F0 rises by ln 2, i.e. ln 2 / std normalized units.
    np.testing.assert_allclose(
        (shifted - pitch)[0, :3].numpy(), [math.log(2) / pitch_std] * 3, rtol=1e-5
    )
    assert shifted[0, 3] == 0
    flat = control_pitch(pitch, mask, torch.zeros(1), torch.zeros(1), pitch_std)
    np.testing.assert_allclose(flat[0, :3].numpy(), [0.0, 0.0, 0.0], atol=1e-6)


def test_energy_scale_multiplies_linear_energy():
    energy = torch.tensor([[0.5, -0.2]])
    mask = torch.ones(1, 2, dtype=torch.bool)
    scaled = control_energy(energy, mask, torch.tensor([2.0]), mean=10.0, std=4.0)
    np.testing.assert_allclose(
        (scaled * 4 + 10).numpy(), ((energy * 4 + 10) * 2).numpy(), rtol=1e-6
    )
