"""Export a voice to ONNX: the acoustic graph, the vocoder graph and `voice.json`.

Uses torch's current exporter (``torch.onnx.export(..., dynamo=True)``, graph capture by
``torch.export``). It emits opset 18; :mod:`emotts.onnx.opset` brings the graphs to the opset
17 the voice format promises. The acoustic graph is ``AcousticModel.forward`` unchanged, so the
emotion encoder (blends, intensity, polarity, ADV projection, per-phoneme spans) and the
length regulator are inside it; durations are a graph output so timings survive export.
"""

from __future__ import annotations

import logging
import os
import tempfile
import warnings
from dataclasses import asdict, dataclass, field
from pathlib import Path

import onnx
import torch

from emotts.atomic import PARTIAL_SUFFIX, atomic_folder, file_sha256, write_bytes_atomically
from emotts.backends.onnx_format import (
    ACOUSTIC_FILE,
    ACOUSTIC_INT8_FILE,
    FLOW_FILE,
    ONNX_OPSET,
    VOCODER_FILE,
    VOICE_FILE,
    write_voice_json,
)
from emotts.emotion.labels import LABEL_ADV, canonical_label
from emotts.errors import ConfigError
from emotts.models.acoustic_model import AcousticModel
from emotts.models.checkpoint import load_acoustic_model
from emotts.models.decoders.flow import FlowDecoder
from emotts.onnx.opset import downgrade_to_opset17
from emotts.synthesis.controls import SynthesisControls
from emotts.synthesis.inputs import (
    ACOUSTIC_INPUT_SPECS,
    ACOUSTIC_INPUTS,
    ACOUSTIC_OUTPUTS,
    DYNAMIC_AXES,
    FLOW_PREPARED_OUTPUTS,
    neutral_inputs,
)
from emotts.voices.config import ONNX_FORMAT as ONNX_VOICE_FORMAT
from emotts.voices.config import ONNX_VERSION as ONNX_VOICE_VERSION
from emotts.voices.config import VoiceConfig

# The dynamo exporter has no implementations below opset 18; we downgrade afterwards.
_EXPORTER_OPSET = 18
EXPORTER = "torch.onnx.export(dynamo=True)"
EXPORTABLE_VOCODERS = ("hifigan-universal", "vocos-emotts")


@dataclass
class ExportResult:
    """What an export wrote: file name -> size in bytes, plus the voice.json content."""

    directory: Path
    files: dict[str, int] = field(default_factory=dict)
    voice: dict = field(default_factory=dict)


def _example_inputs(model: AcousticModel) -> dict[str, torch.Tensor]:
    """Two sentences of different lengths: the traced values only need valid shapes and types."""
    batch, length = 2, 12
    arrays = neutral_inputs(batch, length, model.config.n_labels)
    inputs = {name: torch.from_numpy(array) for name, array in arrays.items()}
    inputs["phoneme_ids"] = torch.randint(1, model.config.n_symbols, (batch, length))
    inputs["phoneme_lengths"] = torch.tensor([length, length - 4])
    inputs["label_weights"][..., model.emotion_encoder.neutral_index] = 1.0
    inputs["target_frames"] = torch.tensor([60, 0])
    return inputs


def _acoustic_dynamic_shapes() -> dict[str, dict[int, torch.export.Dim]]:
    """The batch and phoneme axes of every input are dynamic (mel frames follow from them)."""
    dims = {axis: torch.export.Dim(axis) for axis in DYNAMIC_AXES}
    return {
        spec.name: {i: dims[axis] for i, axis in enumerate(spec.axes) if axis in dims}
        for spec in ACOUSTIC_INPUT_SPECS
    }


def _name_dynamic_dims(proto: onnx.ModelProto, names: dict[str, dict[int, str]]) -> None:
    """Give the exporter's generated output dimension names (u0, 256*s1) readable ones."""
    for value in proto.graph.output:
        for axis, name in names.get(value.name, {}).items():
            value.type.tensor_type.shape.dim[axis].dim_param = name


def _set_metadata(proto: onnx.ModelProto, metadata: dict[str, object]) -> None:
    """Mirror key settings in the graph itself so a lone .onnx file still explains itself."""
    onnx.helper.set_model_props(proto, {key: str(value) for key, value in metadata.items()})


def _export(
    module: torch.nn.Module,
    inputs: dict[str, torch.Tensor],
    outputs: tuple[str, ...],
    dynamic: dict[str, dict[int, torch.export.Dim]] | tuple,
) -> onnx.ModelProto:
    # The exporter logs and warns about every pass; a CLI user only needs errors.
    logging.getLogger("torch.onnx").setLevel(logging.ERROR)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        program = torch.onnx.export(
            module,
            tuple(inputs.values()),
            input_names=list(inputs),
            output_names=list(outputs),
            opset_version=_EXPORTER_OPSET,
            dynamo=True,
            dynamic_shapes=dynamic,
            verbose=False,
        )
    return downgrade_to_opset17(program.model_proto)


class _Prepare(torch.nn.Module):
    """`AcousticModel.prepare` as a forward: a flow voice's acoustic graph."""

    def __init__(self, model: AcousticModel) -> None:
        super().__init__()
        self.model = model

    def forward(self, *inputs: torch.Tensor) -> tuple[torch.Tensor, ...]:
        return self.model.prepare(*inputs)


def acoustic_outputs(model: AcousticModel) -> tuple[str, ...]:
    """What the model's acoustic graph outputs: the mel, or a flow decoder's inputs."""
    return FLOW_PREPARED_OUTPUTS if isinstance(model.decoder, FlowDecoder) else ACOUSTIC_OUTPUTS


def export_acoustic(model: AcousticModel, path: Path, metadata: dict[str, object]) -> Path:
    """AcousticModel.forward (a flow voice: .prepare) -> ONNX with dynamic batch and phoneme
    axes (mel frames follow)."""
    model = model.eval()
    flow = isinstance(model.decoder, FlowDecoder)
    module = _Prepare(model) if flow else model
    outputs = acoustic_outputs(model)
    dynamic = _acoustic_dynamic_shapes()
    # prepare() is reached through *inputs, which torch.export names by position only.
    proto = _export(
        module, _example_inputs(model), outputs, (tuple(dynamic.values()),) if flow else dynamic
    )
    if flow:
        frames = {"frames": {1: "frames"}, "frame_mask": {1: "frames"}}
        _name_dynamic_dims(proto, {**frames, "conditions": {2: "frames"}})
    else:
        _name_dynamic_dims(proto, {"mel": {2: "frames"}})
    _set_metadata(proto, metadata)
    write_bytes_atomically(path, proto.SerializeToString())
    return path


def export_vocoder(vocoder: torch.nn.Module, path: Path, metadata: dict[str, object]) -> Path:
    """Vocoder mel [B, n_mels, T] -> audio [B, T * hop], dynamic batch and time."""
    mel = {"mel": torch.randn(1, vocoder.n_mels, 32) - 5.0}
    dynamic = {"mel": {0: torch.export.Dim("batch"), 2: torch.export.Dim("frames")}}
    proto = _export(vocoder.eval(), mel, ("audio",), dynamic)
    _name_dynamic_dims(proto, {"audio": {1: "samples"}})
    _set_metadata(proto, metadata)
    write_bytes_atomically(path, proto.SerializeToString())
    return path


def quantize_acoustic(source: Path, target: Path) -> Path:
    """Dynamic int8 quantization (weights int8, activations quantized on the fly).

    onnxruntime's pre-processing (symbolic shape inference and graph fusion) runs first, as
    its quantizer recommends, so fused MatMul/Gemm nodes are the ones quantized.
    """
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.quantization.shape_inference import quant_pre_process

    with tempfile.TemporaryDirectory() as scratch:
        prepared = Path(scratch) / "prepared.onnx"
        quant_pre_process(str(source), str(prepared))
        quantize_dynamic(prepared, target, weight_type=QuantType.QInt8)
    return target


def voice_description(config: dict, model: AcousticModel) -> dict:
    """The voice.json content (everything the runtime needs besides the graphs)."""
    labels = list(model.config.labels)
    defaults = SynthesisControls()
    # The intensity calibration travels unchanged: both backends apply it to the inputs.
    calibration = {"calibration": config["calibration"]} if "calibration" in config else {}
    return {
        "format": ONNX_VOICE_FORMAT,
        "version": ONNX_VOICE_VERSION,
        "opset": ONNX_OPSET,
        "exporter": EXPORTER,
        "audio": config["audio"],
        "text": {"language": config["text"]["language"], "symbols": config["text"]["symbols"]},
        "emotion": {
            "labels": labels,
            "adv": {label: list(LABEL_ADV.get(canonical_label(label), ())) for label in labels},
        },
        "speakers": list(model.config.speakers),
        # SSML pitch and range values in Hz are measured against the voice's own F0.
        "pitch": {"log_f0_mean": model.config.pitch_mean, "log_f0_std": model.config.pitch_std},
        "defaults": {
            "emotion": "neutral",
            "speaker": model.config.speakers[0],
            "speed": defaults.speed,
            "pitch_shift": defaults.pitch_shift,
            "pitch_range": defaults.pitch_range,
            "energy_scale": defaults.energy_scale,
        },
        "vocoder": config.get("vocoder", "hifigan-universal"),
        "inputs": list(ACOUSTIC_INPUTS),
        "outputs": list(acoustic_outputs(model)),
        "graphs": {
            "acoustic": ACOUSTIC_FILE,
            "vocoder": VOCODER_FILE,
            **({"flow": FLOW_FILE} if isinstance(model.decoder, FlowDecoder) else {}),
        },
        **_flow_description(model),
    } | calibration


def _flow_description(model: AcousticModel) -> dict:
    """A flow voice's velocity graph and sampler defaults (nothing for a regression voice)."""
    decoder = model.decoder
    if not isinstance(decoder, FlowDecoder):
        return {}
    sampling = decoder.default_sampling
    return {
        "decoder": "flow",
        "flow": {
            "steps": sampling.steps,
            "temperature": sampling.temperature,
            "solver": sampling.solver,
            "mel_mean": decoder.mel_mean,
            "mel_std": decoder.mel_std,
            "n_mels": decoder.n_mels,
        },
    }


def export_voice(
    voice_dir: str | Path,
    out_dir: str | Path,
    *,
    quantize: bool = False,
    vocoder: str | None = None,
) -> ExportResult:
    """Export a torch voice directory (model.safetensors + config.json) to an ONNX voice.

    ``vocoder``: the vocoder graph to export instead of the one the voice's config names.
    """
    from vocoders import vocoder_settings

    voice_config = VoiceConfig.read(voice_dir, "torch")
    vocoder_name = vocoder or voice_config.vocoder
    if vocoder_name not in EXPORTABLE_VOCODERS:
        raise ConfigError(
            f"{voice_dir}: vocoder {vocoder_name!r} cannot be exported to ONNX; "
            f"exportable vocoders: {', '.join(EXPORTABLE_VOCODERS)}"
        )
    voice_config.check_mel_settings(
        f"vocoder {vocoder_name!r}", asdict(vocoder_settings(vocoder_name))
    )
    model, config = load_acoustic_model(voice_dir)
    config = {**config, "vocoder": vocoder_name}
    out = Path(out_dir)
    check_export_target(out)
    try:
        # The voice is written whole into a sibling folder, verified as load verifies it,
        # then swapped in: a stopped export leaves the old voice or the new one, never a mix.
        with atomic_folder(out, check=verify_exported) as staging:
            voice = _write_onnx_voice(model, config, voice_config, vocoder_name, staging, quantize)
    except OSError as error:
        raise ConfigError(
            f"cannot write the exported voice to {out}: {error.strerror or error}"
            f"{f' ({error.filename})' if error.filename else ''}; check that the folder is "
            "writable and the disk has room"
        ) from None
    files = {p.name: p.stat().st_size for p in sorted(out.iterdir()) if p.is_file()}
    return ExportResult(out, files, voice)


#: What an export writes into its folder (anything else there would be lost by a re-export).
EXPORT_FILES = frozenset({ACOUSTIC_FILE, ACOUSTIC_INT8_FILE, FLOW_FILE, VOCODER_FILE, VOICE_FILE})


def check_export_target(out: Path) -> None:
    """Refuse an output that is not a new or empty folder or an exported voice's folder:
    a re-export replaces the folder as a whole, so other files there would be deleted."""
    if not os.path.lexists(out):
        return
    if not out.is_dir() or out.is_symlink():
        raise ConfigError(
            f"{out} exists and is not a folder; accepted for -o/--out: a new or empty folder, "
            "or the folder of an exported voice (replaced as a whole)"
        )
    others = sorted(
        p.name
        for p in out.iterdir()
        if p.name not in EXPORT_FILES and not p.name.endswith(PARTIAL_SUFFIX)
    )
    if others:
        shown = ", ".join(others[:5]) + (f" and {len(others) - 5} more" if len(others) > 5 else "")
        raise ConfigError(
            f"{out} holds files that are not part of an exported voice ({shown}); a re-export "
            "replaces the folder as a whole and would delete them; accepted: a new or empty "
            "folder, or the folder of an exported voice"
        )


def verify_exported(folder: Path) -> None:
    """The checks `OnnxVoice.load` makes before it opens the graphs: voice.json reads, every
    graph it names is there and matches its recorded SHA-256."""
    from emotts.backends.onnx_voice import verify_graph_checksums

    voice_config = VoiceConfig.read(folder, "onnx")
    recorded = voice_config.document.get("sha256", {})
    for name in voice_config.document["graphs"].values():
        if name not in recorded or not (folder / name).is_file():
            raise ConfigError(f"{folder}: the export did not write {name} with its checksum")
    verify_graph_checksums(voice_config)


def _write_onnx_voice(
    model: AcousticModel,
    config: dict,
    voice_config: VoiceConfig,
    vocoder_name: str,
    out: Path,
    quantize: bool,
) -> dict:
    """The graphs, then voice.json (with their SHA-256s), into ``out``; the voice.json
    content."""
    from vocoders import load_vocoder

    out.mkdir(parents=True, exist_ok=True)
    voice = voice_description(config, model)
    audio = voice_config.audio
    shared = {
        "emotts.format": ONNX_VOICE_FORMAT,
        "emotts.version": ONNX_VOICE_VERSION,
        "sample_rate": audio.sample_rate,
        "hop_length": audio.hop_length,
        "n_mels": audio.n_mels,
    }
    export_acoustic(
        model,
        out / ACOUSTIC_FILE,
        {
            **shared,
            "language": voice["text"]["language"],
            "labels": ",".join(voice["emotion"]["labels"]),
            "speakers": ",".join(voice["speakers"]),
            "n_symbols": model.config.n_symbols,
            "inputs": ",".join(ACOUSTIC_INPUTS),
            "outputs": ",".join(acoustic_outputs(model)),
        },
    )
    if isinstance(model.decoder, FlowDecoder):
        from emotts.onnx.flow_export import export_flow_velocity

        export_flow_velocity(model.decoder, out / FLOW_FILE, shared)
    try:
        vocoder_module = load_vocoder(vocoder_name)
    except ValueError as error:
        raise ConfigError(str(error)) from None
    export_vocoder(vocoder_module, out / VOCODER_FILE, {**shared, "vocoder": vocoder_name})
    voice["vocoder_context_frames"] = vocoder_module.receptive_frames
    if quantize:
        quantize_acoustic(out / ACOUSTIC_FILE, out / ACOUSTIC_INT8_FILE)
        voice["graphs"]["acoustic_int8"] = ACOUSTIC_INT8_FILE
    # Loading compares each graph with these, so damaged graphs are refused by name.
    voice["sha256"] = {name: file_sha256(out / name) for name in voice["graphs"].values()}
    write_voice_json(out, voice)
    return voice
