"""`OnnxVoice`: an exported voice served by onnxruntime, with numpy only (torch never imported).

Same `synthesize` / `stream` API, controls and `Audio` results as the torch `Voice`
(`emotts.backends.torch_voice`); both build their inputs with `emotts.synthesis` so they cannot
drift apart. The emotion math is inside the acoustic graph; this module only lays out inputs
and runs sessions.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import onnxruntime as ort

from emotts.atomic import file_sha256
from emotts.backends.onnx_flow import OnnxFlowSampler
from emotts.errors import ConfigError, ControlError
from emotts.synthesis.inputs import (
    ACOUSTIC_INPUT_SPECS,
    ACOUSTIC_INPUTS,
    ACOUSTIC_OUTPUTS,
    FLOW_PREPARED_OUTPUTS,
)
from emotts.synthesis.pipeline import SpeechSynthesizer
from emotts.synthesis.sampling import FlowRun, FlowSampling, active_passes
from emotts.text.ssml import PitchReference
from emotts.voices import resolve_voice
from emotts.voices.config import VOCODER_SETTINGS, VoiceConfig

# The inputs of acoustic graphs exported before emotion guidance (regression voices).
_UNGUIDED_INPUTS = tuple(spec.name for spec in ACOUSTIC_INPUT_SPECS if spec.source != "guidance")


def default_providers() -> list[str]:
    """CUDA first when onnxruntime-gpu provides it, always with the CPU as fallback."""
    available = ort.get_available_providers()
    preferred = ["CUDAExecutionProvider"] if "CUDAExecutionProvider" in available else []
    return [*preferred, "CPUExecutionProvider"]


def make_session(
    path: Path, threads: int | None, providers: Sequence[str] | None
) -> ort.InferenceSession:
    """One inference session; ``threads`` sets intra-op threads (None: onnxruntime's default)."""
    options = ort.SessionOptions()
    if threads is not None:
        if threads < 1:
            raise ControlError(f"threads must be a positive integer; got {threads}")
        options.intra_op_num_threads = threads
    # The graphs are sequential chains; parallelism is inside operators, not between them.
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    chosen = list(providers) if providers is not None else default_providers()
    unknown = [p for p in chosen if p not in ort.get_available_providers()]
    if unknown:
        raise ControlError(
            f"onnxruntime providers {unknown} are not available; available: "
            f"{', '.join(ort.get_available_providers())}"
        )
    try:
        return ort.InferenceSession(os.fspath(path), options, providers=chosen)
    except Exception as error:  # noqa: BLE001 - onnxruntime raises many unrelated types
        # (InvalidProtobuf, InvalidArgument, NoSuchFile, Fail, even UnicodeDecodeError).
        reason = str(error).strip().splitlines()[0][:300]
        raise ConfigError(
            f"{path} is not a loadable ONNX graph ({type(error).__name__}: {reason}); it is "
            "damaged (e.g. truncated) or not an exported emotts graph; export the voice again"
        ) from None


def verify_graph_checksums(voice_config: VoiceConfig) -> None:
    """Compare each graph with the SHA-256 voice.json records (voices exported before the
    checksums have none and are not checked)."""
    recorded = voice_config.document.get("sha256", {})
    for name, expected in recorded.items():
        path = voice_config.directory / name
        if path.is_file() and file_sha256(path) != expected:
            raise ConfigError(
                f"{path} is damaged: its SHA-256 differs from the one in voice.json (the file "
                "was altered, truncated or only partly copied); export the voice again"
            )


class OnnxVoice(SpeechSynthesizer):
    """An exported voice on onnxruntime (see `SpeechSynthesizer` for synthesize/stream)."""

    def __init__(
        self,
        voice_config: VoiceConfig,
        acoustic: ort.InferenceSession,
        vocoder: ort.InferenceSession,
        flow: ort.InferenceSession | None = None,
    ) -> None:
        pitch = voice_config.document.get("pitch")  # absent from voices exported before SSML
        super().__init__(
            voice_config.audio,
            voice_config.language,
            voice_config.symbols,
            PitchReference.from_log_stats(pitch["log_f0_mean"], pitch["log_f0_std"])
            if pitch
            else None,
            voice_config.calibration,
        )
        self.voice_config = voice_config
        self.config = voice_config.document
        self.directory = voice_config.directory
        self.acoustic = acoustic
        self.vocoder = vocoder
        self.flow = None if flow is None else OnnxFlowSampler.from_session(flow)
        names = tuple(i.name for i in acoustic.get_inputs())
        if names not in (ACOUSTIC_INPUTS, _UNGUIDED_INPUTS):
            raise ConfigError(
                f"{self.directory}: acoustic graph inputs are {names}; "
                f"this emotts expects {ACOUSTIC_INPUTS}"
            )
        # Voices exported before the guidance inputs existed are regression voices: their
        # graph is fed the inputs it has (the pipeline keeps the guidance ones neutral).
        self.input_names = names
        outputs = FLOW_PREPARED_OUTPUTS if self.flow is not None else ACOUSTIC_OUTPUTS
        self.output_names = outputs
        produced = tuple(o.name for o in acoustic.get_outputs())
        if produced != outputs:
            raise ConfigError(
                f"{self.directory}: acoustic graph outputs are {produced}; a "
                f"{'flow' if self.flow is not None else 'regression'} voice's are {outputs}"
            )
        vocoder_inputs = tuple(i.name for i in vocoder.get_inputs())
        if vocoder_inputs != ("mel",):
            raise ConfigError(
                f"{self.directory}: the vocoder graph's inputs are {vocoder_inputs}; a vocoder "
                "graph takes one input, 'mel' (is another graph in its place?)"
            )
        for what, graph in (("the acoustic graph", acoustic), ("the vocoder graph", vocoder)):
            # The exporter stamps the mel settings into each graph; check them against voice.json.
            stamped = graph.get_modelmeta().custom_metadata_map
            voice_config.check_mel_settings(
                what, {k: stamped[k] for k in VOCODER_SETTINGS if k in stamped}
            )

    @classmethod
    def load(
        cls,
        path_or_name: str | Path | None = None,
        *,
        threads: int | None = None,
        providers: Sequence[str] | None = None,
        quantized: bool = False,
    ) -> OnnxVoice:
        """Load an exported voice directory (see docs/serving.md).

        threads: CPU intra-op threads per session (None: all cores). providers: onnxruntime
        execution providers in priority order (None: CUDA when available, else CPU).
        quantized: use the int8 acoustic graph written by ``emotts export --quantize``.
        """
        directory = resolve_voice(path_or_name)
        voice_config = VoiceConfig.read(directory, "onnx")
        graphs = voice_config.document["graphs"]
        verify_graph_checksums(voice_config)
        if quantized and "acoustic_int8" not in graphs:
            raise ConfigError(
                f"{directory} has no quantized acoustic graph; re-export with --quantize "
                "or load without quantized=True"
            )
        acoustic = directory / graphs["acoustic_int8" if quantized else "acoustic"]
        flow = graphs.get("flow")
        return cls(
            voice_config,
            make_session(acoustic, threads, providers),
            make_session(directory / graphs["vocoder"], threads, providers),
            None if flow is None else make_session(directory / flow, threads, providers),
        )

    @property
    def labels(self) -> list[str]:
        return list(self.voice_config.labels)

    @property
    def speakers(self) -> list[str]:
        return list(self.voice_config.speakers)

    @property
    def vocoder_name(self) -> str:
        """The vocoder exported into vocoder.onnx."""
        return self.voice_config.vocoder

    @property
    def flow_sampling(self) -> FlowSampling | None:
        if self.flow is None:
            return None
        section = self.config["flow"]
        return FlowSampling(section["steps"], section["temperature"], section["solver"])

    def run_acoustic(
        self, inputs: dict[str, np.ndarray], flow: FlowRun | None = None
    ) -> dict[str, np.ndarray]:
        """Run the acoustic graph on named inputs (`emotts.synthesis.inputs.build_inputs`);
        a flow voice then integrates its velocity graph from the seed's noise."""
        feeds = {name: inputs[name] for name in self.input_names}
        outputs = dict(zip(self.output_names, self.acoustic.run(None, feeds), strict=True))
        if self.flow is None:
            return outputs
        run = flow or FlowRun(self.flow_sampling)
        lengths = [int(n) for n in outputs["mel_lengths"]]
        noise = run.noise(int(self.config["flow"]["n_mels"]), lengths)
        conditions, coefficients = active_passes(outputs["conditions"], outputs["coefficients"])
        mel = self.flow.sample(
            outputs["frames"], outputs["frame_mask"], conditions, coefficients, noise, run.sampling
        )
        return {"mel": mel, **{name: outputs[name] for name in ACOUSTIC_OUTPUTS[1:]}}

    @property
    def vocoder_context_frames(self) -> int | None:
        # Written by the exporter from the vocoder's receptive field; voices exported before
        # it lack the key and stream whole sentences, as they always did.
        return self.config.get("vocoder_context_frames")

    def vocode(self, mel: np.ndarray) -> np.ndarray:
        batch = np.ascontiguousarray(mel, dtype=np.float32)[None]
        (wave,) = self.vocoder.run(None, {"mel": batch})
        return np.clip(wave[0], -1.0, 1.0).astype(np.float32)
