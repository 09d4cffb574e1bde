"""Export a flow decoder's guided velocity as a one-step ONNX graph.

Why one step in the graph and the loop in the runtime, rather than an unrolled loop: the step
count is a user control (2-10, and more for quality checks), and an unrolled graph fixes it at
export time; the runtime loop (`emotts.synthesis.sampling.solve`, the same code the torch
decoder runs) costs one session call per step, microseconds next to the network itself. The
noise stays outside the graph too: the runtime draws it with numpy from the seed, exactly as
the torch backend does, so both backends agree at a fixed seed.

Graph: x [B, n_mels, T], t [B], frames [B, T, H], mask [B, T] bool,
conditions [P, B, T, C], coefficients [P, B, T] -> velocity [B, n_mels, T]
(`FlowDecoder.guided_velocity`; P = 1..3 guidance passes, dynamic).
"""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

from emotts.atomic import write_bytes_atomically
from emotts.models.decoders.flow import FlowDecoder
from emotts.onnx.export import _export, _set_metadata

FLOW_VELOCITY_INPUTS = ("x", "t", "frames", "mask", "conditions", "coefficients")
FLOW_VELOCITY_OUTPUTS = ("velocity",)


class GuidedVelocity(nn.Module):
    """`FlowDecoder.guided_velocity` as a module's forward (what the exporter traces)."""

    def __init__(self, decoder: FlowDecoder) -> None:
        super().__init__()
        self.decoder = decoder

    def forward(
        self,
        x: torch.Tensor,
        t: torch.Tensor,
        frames: torch.Tensor,
        mask: torch.Tensor,
        conditions: torch.Tensor,
        coefficients: torch.Tensor,
    ) -> torch.Tensor:
        return self.decoder.guided_velocity(x, t, frames, mask, conditions, coefficients)


def _example_inputs(decoder: FlowDecoder) -> dict:
    """Two passes over two rows of different lengths: only shapes and dtypes matter."""
    batch, frames, passes = 2, 24, 2
    mask = torch.ones(batch, frames, dtype=torch.bool)
    mask[1, 16:] = False
    return {
        "x": torch.randn(batch, decoder.n_mels, frames),
        "t": torch.full((batch,), 0.25),
        "frames": torch.randn(batch, frames, decoder.channels),
        "mask": mask,
        "conditions": torch.randn(passes, batch, frames, decoder.condition_dim),
        "coefficients": torch.ones(passes, batch, frames),
    }


def export_flow_velocity(
    decoder: FlowDecoder, path: Path, metadata: dict[str, object] | None = None
) -> Path:
    """Write the one-step guided velocity graph; sampling defaults and mel normalization go
    into the graph's metadata (the runtime needs them to start and finish the flow)."""
    decoder = decoder.eval()
    inputs = _example_inputs(decoder)
    batch, frames = torch.export.Dim("batch"), torch.export.Dim("frames")
    passes = torch.export.Dim("passes", min=1, max=3)
    dynamic = {
        "x": {0: batch, 2: frames},
        "t": {0: batch},
        "frames": {0: batch, 1: frames},
        "mask": {0: batch, 1: frames},
        "conditions": {0: passes, 1: batch, 2: frames},
        "coefficients": {0: passes, 1: batch, 2: frames},
    }
    proto = _export(GuidedVelocity(decoder), inputs, FLOW_VELOCITY_OUTPUTS, dynamic)
    sampling = decoder.default_sampling
    _set_metadata(
        proto,
        {
            **(metadata or {}),
            "mel_mean": decoder.mel_mean,
            "mel_std": decoder.mel_std,
            "steps": sampling.steps,
            "temperature": sampling.temperature,
            "solver": sampling.solver,
        },
    )
    write_bytes_atomically(path, proto.SerializeToString())
    return path
