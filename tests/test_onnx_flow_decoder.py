"""The exported one-step flow graph, looped by the numpy runtime, matches the torch decoder."""

from __future__ import annotations

import numpy as np
import onnxruntime as ort
import pytest
import torch

from emotts.backends.onnx_flow import OnnxFlowSampler
from emotts.models.decoders.flow import FlowDecoder
from emotts.models.untrained import make_conditions_visible
from emotts.onnx.flow_export import FLOW_VELOCITY_INPUTS, export_flow_velocity
from emotts.synthesis.sampling import FlowSampling, batch_noise

H, C, D, M = 16, 12, 8, 10


@pytest.fixture(scope="module")
def decoder() -> FlowDecoder:
    torch.manual_seed(0)
    decoder = FlowDecoder(H, C, M, D, inner=32, kernel=3, layers=2, time_dim=16, steps=3).eval()
    make_conditions_visible(decoder, std=0.3)
    return decoder


@pytest.fixture(scope="module")
def sampler(decoder, tmp_path_factory) -> OnnxFlowSampler:
    path = tmp_path_factory.mktemp("flow") / "flow_velocity.onnx"
    export_flow_velocity(decoder, path, {"voice": "test"})
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    assert tuple(i.name for i in session.get_inputs()) == FLOW_VELOCITY_INPUTS
    return OnnxFlowSampler.from_session(session)


def _case(lengths: list[int], seed: int = 3):
    generator = torch.Generator().manual_seed(seed)
    batch, frames = len(lengths), max(lengths)
    mask = torch.arange(frames)[None, :] < torch.tensor(lengths)[:, None]
    condition = torch.randn(batch, frames, C, generator=generator)
    avoid = torch.cat([torch.randn(batch, frames, D, generator=generator), condition[..., D:]], -1)
    return torch.randn(batch, frames, H, generator=generator), mask, condition, avoid


@pytest.mark.parametrize(
    ("guidance", "avoid_guidance", "solver", "lengths"),
    [
        (1.0, 0.0, "euler", [30, 19]),
        (2.5, 0.0, "euler", [30, 19]),
        (1.5, 1.0, "midpoint", [41]),
        (0.0, 0.0, "euler", [7, 25, 13]),
    ],
)
def test_onnx_sampling_matches_torch_at_fixed_noise(
    decoder, sampler, guidance, avoid_guidance, solver, lengths
):
    frames, mask, condition, avoid = _case(lengths)
    w = torch.full(mask.shape, guidance)
    w_neg = torch.full(mask.shape, avoid_guidance)
    noise = batch_noise(11, 0, M, lengths)
    sampling = FlowSampling(3, 0.8, solver)
    with torch.no_grad():
        expected = decoder.generate(
            frames,
            mask,
            condition,
            guidance=w,
            avoid_condition=avoid,
            avoid_guidance=w_neg,
            noise=torch.from_numpy(noise),
            sampling=sampling,
        ).numpy()
        conditions, coefficients = decoder.guidance_passes(condition, w, avoid, w_neg)
    mel = sampler.sample(
        frames.numpy(), mask.numpy(), conditions.numpy(), coefficients.numpy(), noise, sampling
    )
    assert mel.shape == expected.shape and mel.dtype == np.float32
    np.testing.assert_allclose(mel, expected, rtol=1e-4, atol=1e-4)
    assert np.abs(expected).max() > 1.0


def test_graph_carries_the_sampling_defaults(sampler):
    meta = sampler.session.get_modelmeta().custom_metadata_map
    assert (meta["steps"], meta["solver"], meta["voice"]) == ("3", "euler", "test")
    assert float(meta["mel_mean"]) == sampler.mel_mean == -6.0
