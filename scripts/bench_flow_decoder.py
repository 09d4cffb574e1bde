"""Acoustic cost of the flow decoder: the exported one-step graph looped by the numpy runtime.

Prints the decoder's real-time factor (decoder compute seconds / audio seconds) per step count
and guidance mode, at one onnxruntime thread, for an untrained decoder of the given preset
sizes (cost does not depend on weight values). Compute time is the process CPU time, so the
figure holds on a loaded machine too (with one intra-op thread, CPU time = compute time).
The issue's target is an acoustic RTF <= 0.015 for the whole acoustic model; add the
encoder/variance-adaptor part from `emotts bench` (the regression voice's acoustic RTF minus
its decoder) to compare.

    PYTHONPATH=$PWD python scripts/bench_flow_decoder.py --preset small --seconds 5
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import onnxruntime as ort

from emotts.audio.config import AudioConfig
from emotts.backends.onnx_flow import OnnxFlowSampler
from emotts.models.config import AcousticConfig
from emotts.models.decoders.flow import FlowDecoder
from emotts.onnx.flow_export import export_flow_velocity
from emotts.synthesis.sampling import FlowSampling, batch_noise


def _decoder(preset: str) -> FlowDecoder:
    sizes = AcousticConfig.preset(
        preset,
        n_symbols=2,
        labels=["neutral"],
        speakers=["a"],
        pitch_mean=0.0,
        pitch_std=1.0,
        energy_mean=0.0,
        energy_std=1.0,
    )
    return FlowDecoder(
        sizes.hidden,
        sizes.condition_dim,
        sizes.n_mels,
        sizes.emotion_dim,
        inner=sizes.decoder_inner,
        layers=sizes.decoder_layers,
    ).eval()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="small", choices=AcousticConfig.preset_names())
    parser.add_argument("--seconds", type=float, default=5.0, help="audio length per run")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    audio = AudioConfig()
    frames = round(args.seconds * audio.sample_rate / audio.hop_length)
    decoder = _decoder(args.preset)
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "flow_velocity.onnx"
        export_flow_velocity(decoder, path)
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    sampler = OnnxFlowSampler.from_session(session)
    rng = np.random.default_rng(0)
    hidden = rng.standard_normal((1, frames, decoder.channels), dtype=np.float32)
    mask = np.ones((1, frames), bool)
    condition = rng.standard_normal((1, frames, decoder.condition_dim), dtype=np.float32)
    noise = batch_noise(0, 0, decoder.n_mels, [frames])
    print(f"preset {args.preset}, {args.seconds:g} s of audio ({frames} frames), 1 thread")
    print("steps  passes  decoder_rtf")
    for passes in (1, 2, 3):
        for steps in (2, 4, 6, 10):
            conditions = np.repeat(condition[None], passes, axis=0)
            coefficients = np.full((passes, 1, frames), 1.0 / passes, np.float32)
            sampling = FlowSampling(steps)
            sampler.sample(hidden, mask, conditions, coefficients, noise, sampling)  # warm-up
            started = time.process_time()
            for _ in range(args.repeats):
                sampler.sample(hidden, mask, conditions, coefficients, noise, sampling)
            cpu = (time.process_time() - started) / args.repeats
            print(f"{steps:5d}  {passes:6d}  {cpu / args.seconds:.4f}")


if __name__ == "__main__":
    main()
