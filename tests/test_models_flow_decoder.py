"""The OT-CFM decoder: it learns, guidance combines passes as specified, noise makes it seeded."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from emotts.errors import ConfigError, ControlError
from emotts.models.decoders.flow import FlowDecoder
from emotts.models.untrained import make_conditions_visible
from emotts.synthesis.sampling import FlowSampling, batch_noise, sentence_noise

H, C, D, M, T = 16, 12, 8, 10, 14


def _decoder(**options) -> FlowDecoder:
    """A small decoder whose condition visibly changes the velocity (as after training)."""
    torch.manual_seed(0)
    sizes = dict(inner=32, kernel=3, layers=2, time_dim=16)
    decoder = FlowDecoder(H, C, M, D, **{**sizes, **options}).eval()
    make_conditions_visible(decoder, std=0.3)
    return decoder


def _inputs(batch: int = 2):
    generator = torch.Generator().manual_seed(1)
    frames = torch.randn(batch, T, H, generator=generator)
    mask = torch.ones(batch, T, dtype=torch.bool)
    mask[1:, T - 4 :] = False
    condition = torch.randn(batch, T, C, generator=generator)
    avoid = torch.cat([torch.randn(batch, T, D, generator=generator), condition[..., D:]], -1)
    noise = torch.randn(batch, M, T, generator=generator)
    return frames, mask, condition, avoid, noise


def _manual_euler(decoder, frames, mask, condition, noise, steps):
    keep = mask.unsqueeze(1).float()
    x = noise * keep
    for step in range(steps):
        t = torch.full((frames.shape[0],), step / steps)
        x = x + decoder.network(x, t, frames, mask, condition) / steps
    return (x * decoder.mel_std + decoder.mel_mean) * keep


def test_unguided_generation_is_the_plain_euler_solution():
    decoder = _decoder()
    frames, mask, condition, _, noise = _inputs()
    with torch.no_grad():
        mel = decoder.generate(frames, mask, condition, noise=noise, sampling=FlowSampling(3))
        expected = _manual_euler(decoder, frames, mask, condition, noise, 3)
        guided_one = decoder.generate(
            frames,
            mask,
            condition,
            noise=noise,
            guidance=torch.ones(2, T),
            sampling=FlowSampling(3),
        )
    assert mel.shape == (2, M, T)
    torch.testing.assert_close(mel, expected, rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(guided_one, expected, rtol=1e-5, atol=1e-5)
    assert mel[1, :, T - 4 :].abs().max() == 0.0


def test_zero_guidance_is_the_unconditional_pass():
    decoder = _decoder()
    frames, mask, condition, _, noise = _inputs()
    sampling = FlowSampling(3)
    with torch.no_grad():
        unguided = decoder.generate(
            frames, mask, condition, guidance=torch.zeros(2, T), noise=noise, sampling=sampling
        )
        null = decoder.generate(
            frames, mask, decoder.null_condition(condition), noise=noise, sampling=sampling
        )
        conditional = decoder.generate(frames, mask, condition, noise=noise, sampling=sampling)
    torch.testing.assert_close(unguided, null, rtol=1e-5, atol=1e-5)
    assert (unguided - conditional).abs().mean() > 1e-2


def test_guidance_is_linear_in_w_and_the_passes_are_batched():
    """With one Euler step the mel is affine in the velocity, so mel(w) is affine in w."""
    decoder = _decoder()
    frames, mask, condition, _, noise = _inputs()
    one_step = FlowSampling(1)
    with torch.no_grad():
        mels = [
            decoder.generate(
                frames,
                mask,
                condition,
                guidance=torch.full((2, T), w),
                noise=noise,
                sampling=one_step,
            )
            for w in (0.0, 1.0, 2.0, 3.0)
        ]
    torch.testing.assert_close(mels[2] - mels[1], mels[1] - mels[0], rtol=1e-4, atol=1e-4)
    torch.testing.assert_close(mels[3] - mels[2], mels[1] - mels[0], rtol=1e-4, atol=1e-4)
    conditions, coefficients = decoder.guidance_passes(condition, torch.full((2, T), 2.0))
    assert conditions.shape == (2, 2, T, C)
    torch.testing.assert_close(coefficients[:, 0, 0], torch.tensor([2.0, -1.0]))


def test_negative_guidance_moves_away_from_the_avoided_emotion():
    decoder = _decoder()
    frames, mask, condition, avoid, noise = _inputs()
    one_step = FlowSampling(1)
    w_neg = torch.full((2, T), 1.5)
    with torch.no_grad():
        plain = decoder.generate(frames, mask, condition, noise=noise, sampling=one_step)
        as_avoided = decoder.generate(frames, mask, avoid, noise=noise, sampling=one_step)
        pushed = decoder.generate(
            frames,
            mask,
            condition,
            avoid_condition=avoid,
            avoid_guidance=w_neg,
            noise=noise,
            sampling=one_step,
        )
        self_avoid = decoder.generate(
            frames,
            mask,
            condition,
            avoid_condition=condition,
            avoid_guidance=w_neg,
            noise=noise,
            sampling=one_step,
        )
    # One step: mel = offset + std * v, so the push is w_neg * (mel(e) - mel(e_avoid)).
    torch.testing.assert_close(pushed - plain, 1.5 * (plain - as_avoided), rtol=1e-4, atol=1e-4)
    torch.testing.assert_close(self_avoid, plain, rtol=1e-5, atol=1e-5)
    conditions, _ = decoder.guidance_passes(condition, torch.full((2, T), 2.0), avoid, w_neg)
    assert conditions.shape[0] == 3


def test_batched_passes_equal_separate_network_calls():
    decoder = _decoder()
    frames, mask, condition, avoid, noise = _inputs()
    conditions, coefficients = decoder.guidance_passes(
        condition, torch.full((2, T), 2.5), avoid, torch.full((2, T), 0.5)
    )
    t = torch.full((2,), 0.3)
    with torch.no_grad():
        batched = decoder.guided_velocity(noise, t, frames, mask, conditions, coefficients)
        separate = sum(
            coefficients[p].unsqueeze(1) * decoder.network(noise, t, frames, mask, conditions[p])
            for p in range(3)
        )
    torch.testing.assert_close(batched, separate, rtol=1e-5, atol=1e-5)


def test_midpoint_solver_takes_half_steps():
    decoder = _decoder()
    frames, mask, condition, _, noise = _inputs()
    with torch.no_grad():
        mel = decoder.generate(
            frames, mask, condition, noise=noise, sampling=FlowSampling(1, solver="midpoint")
        )
        t0, t_half = torch.zeros(2), torch.full((2,), 0.5)
        x = noise * mask.unsqueeze(1)
        half = x + 0.5 * decoder.network(x, t0, frames, mask, condition)
        x = x + decoder.network(half, t_half, frames, mask, condition)
    expected = (x * decoder.mel_std + decoder.mel_mean) * mask.unsqueeze(1)
    torch.testing.assert_close(mel, expected, rtol=1e-5, atol=1e-5)


def test_noise_decides_the_rendering_and_temperature_scales_it():
    decoder = _decoder()
    frames, mask, condition, _, noise = _inputs()
    with torch.no_grad():
        first = decoder.generate(frames, mask, condition, noise=noise)
        again = decoder.generate(frames, mask, condition, noise=noise.clone())
        other = decoder.generate(frames, mask, condition, noise=torch.randn_like(noise))
        cold = [
            decoder.generate(frames, mask, condition, noise=n, sampling=FlowSampling(4, 0.0))
            for n in (noise, torch.randn_like(noise))
        ]
    assert torch.equal(first, again)
    assert (first - other).abs().mean() > 1e-2
    torch.testing.assert_close(cold[0], cold[1])


def test_sentence_noise_depends_on_seed_and_sentence_only():
    a = sentence_noise(7, 0, M, 20)
    assert a.dtype == np.float32 and a.shape == (M, 20)
    np.testing.assert_array_equal(a, sentence_noise(7, 0, M, 20))
    assert np.abs(a - sentence_noise(8, 0, M, 20)).mean() > 0.5
    assert np.abs(a - sentence_noise(7, 1, M, 20)).mean() > 0.5
    batch = batch_noise(7, 0, M, [20, 12])
    np.testing.assert_array_equal(batch[0], a)
    np.testing.assert_array_equal(batch[1, :, :12], sentence_noise(7, 1, M, 12))
    assert not batch[1, :, 12:].any()
    assert np.abs(sentence_noise(None, 0, M, 20) - sentence_noise(None, 0, M, 20)).mean() > 0.5


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (dict(steps=0), "steps 0 is out of range"),
        (dict(steps=2.5), "steps must be an integer"),
        (dict(temperature=-0.1), "temperature -0.1 is out of range"),
        (dict(solver="rk4"), "unknown solver 'rk4'; accepted: euler, midpoint"),
    ],
)
def test_bad_sampling_settings_are_rejected(options, message):
    with pytest.raises(ControlError, match=message):
        FlowSampling(**options)


def test_flow_decoder_learns_a_conditional_mapping():
    """A few dozen Adam steps on a toy task: the OT-CFM loss falls and samples approach targets.

    The target mel is a fixed function of the frames plus an emotion-dependent offset, so the
    decoder has to use both inputs.
    """
    torch.manual_seed(0)
    decoder = FlowDecoder(H, C, M, D, inner=64, kernel=3, layers=2, time_dim=16)
    projection = torch.randn(H, M) * 0.5
    emotion_offset = torch.randn(C, M)
    frames = torch.randn(16, T, H)
    condition = torch.randn(16, 1, C).expand(-1, T, -1).contiguous()
    mask = torch.ones(16, T, dtype=torch.bool)
    target = (frames @ projection + condition @ emotion_offset * 0.3 - 6.0).transpose(1, 2)
    optimizer = torch.optim.Adam(decoder.parameters(), lr=3e-3)
    losses = []
    for _ in range(80):
        loss, predicted = decoder.loss(frames, mask, condition, target)
        assert predicted is None
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert np.mean(losses[-10:]) < 0.6 * np.mean(losses[:10])
    decoder.eval()
    with torch.no_grad():
        sampled = decoder.generate(frames, mask, condition, noise=torch.randn(16, M, T))
    baseline = (target - target.mean()).abs().mean()
    assert (sampled - target).abs().mean() < 0.6 * baseline


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (dict(emotion_dim=0), "emotion_dim 0 is invalid; accepted: 1..12"),
        (dict(condition_dropout=1.0), r"condition_dropout 1.0 is invalid; accepted: \[0, 1\)"),
        (dict(time_dim=15), "time_dim 15 is odd"),
    ],
)
def test_bad_decoder_options_are_config_errors(options, message):
    sizes = dict(channels=H, condition_dim=C, n_mels=M, emotion_dim=D, inner=32, layers=1)
    with pytest.raises(ConfigError, match=message):
        FlowDecoder(**{**sizes, **options})
