"""`VoiceConfig`: what a voice directory declares, for torch (config.json) and ONNX (voice.json).

Both files carry the same facts in slightly different places (labels are under ``model`` in
config.json and under ``emotion`` in voice.json); this type reads either, so every caller sees
one set of audio settings, symbols, labels, speakers, vocoder and intensity calibration (the
optional top-level ``calibration`` section, `emotts.emotion.calibration`, the same in both
files). The ``audio`` section is the one source of truth for the mel settings: a model or
vocoder that disagrees with it is refused.
numpy/json only: reading a voice never imports torch.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from pathlib import Path

from emotts.audio.config import AudioConfig
from emotts.emotion.calibration import IntensityCalibration
from emotts.errors import ConfigError
from emotts.typecheck import check_positive, check_value, graph_file
from emotts.voices import read_voice_file

TORCH_FORMAT, TORCH_VERSION, TORCH_FILE = "emotts-voice", 1, "config.json"
ONNX_FORMAT, ONNX_VERSION, ONNX_FILE = "emotts-onnx-voice", 1, "voice.json"
DEFAULT_VOCODER = "hifigan-universal"
# The settings a vocoder must share with the voice's mel front-end.
VOCODER_SETTINGS = ("sample_rate", "hop_length", "n_mels")


def is_exported_voice(directory: Path) -> bool:
    """An ONNX voice directory: a voice.json and no torch weights beside it."""
    return (directory / ONNX_FILE).is_file() and not (directory / "model.safetensors").is_file()


def _audio(section: object, path: Path) -> AudioConfig:
    accepted = [f.name for f in fields(AudioConfig)]
    if not isinstance(section, dict):
        raise ConfigError(f"{path}: the audio section must be a mapping of {accepted}")
    unknown = sorted(set(section) - set(accepted))
    if unknown:
        raise ConfigError(f"{path}: audio section has unknown keys {unknown}; accepted: {accepted}")
    absent = [name for name in accepted if name not in section]
    if absent:
        # A default here could silently differ from what the model was trained on.
        raise ConfigError(
            f"{path}: audio.{absent[0]} is missing; the audio section needs {accepted}"
        )
    return AudioConfig.from_dict(section, f"{path}: audio.")


def _calibration(document: dict, path: Path, labels: list[str]) -> IntensityCalibration | None:
    """The ``calibration`` section, None when absent; its labels must be the voice's."""
    if "calibration" not in document:
        return None
    calibration = IntensityCalibration.from_dict(document["calibration"], f"{path}: calibration")
    unknown = [label for label in calibration.labels if label not in labels]
    if unknown:
        raise ConfigError(
            f"{path}: calibration has maps for {unknown}, which the voice does not have; "
            f"the voice's labels: {labels} (re-fit with: emotts eval calibrate --voice V)"
        )
    return calibration


def _field(document: dict, path: Path, *keys: str, kind: object = None) -> object:
    """document[k1][k2]...; a ConfigError naming the dotted key when it is absent or (with
    ``kind``) of another type."""
    value: object = document
    for key in keys:
        if not isinstance(value, dict) or key not in value:
            raise ConfigError(f"{path}: {'.'.join(keys)} is missing")
        value = value[key]
    if kind is not None:
        check_value(value, kind, f"{path}: {'.'.join(keys)}")
    return value


def _names(document: dict, path: Path, *keys: str) -> list[str]:
    """A non-empty list of distinct strings (symbols, labels, speakers)."""
    names = _field(document, path, *keys, kind=list[str])
    assert isinstance(names, list)
    if not names or len(set(names)) != len(names):
        raise ConfigError(
            f"{path}: {'.'.join(keys)} is {names!r:.80}; accepted: a non-empty list of distinct "
            "strings"
        )
    return names


# Optional entries of voice.json and their types (checked when present).
_ONNX_OPTIONAL = {
    "opset": int,
    "exporter": str,
    "vocoder": str,
    "inputs": list[str],
    "outputs": list[str],
    "defaults": dict,
    "vocoder_context_frames": int,
    "pitch": dict,
    "flow": dict,
    "sha256": dict,
}
# What the exporter writes under "defaults" (descriptive: requests carry their own values).
_DEFAULT_FIELDS = {
    "emotion": str,
    "speaker": str,
    "speed": float,
    "pitch_shift": float,
    "pitch_range": float,
    "energy_scale": float,
}
_FLOW_FIELDS = {"steps": int, "temperature": float, "solver": str, "n_mels": int}


def _check_onnx_document(document: dict, path: Path) -> None:
    """Types of voice.json's entries beyond the shared ones; graph files exist in the folder."""
    for section in ("text", "emotion", "defaults"):
        _field(document, path, section, kind=dict)
    for key, kind in _ONNX_OPTIONAL.items():
        if key in document:
            check_value(document[key], kind, f"{path}: {key}")
    for key, kind in _DEFAULT_FIELDS.items():
        if key in document["defaults"]:
            check_value(document["defaults"][key], kind, f"{path}: defaults.{key}")
    graphs = _field(document, path, "graphs", kind=dict)
    assert isinstance(graphs, dict)
    for role in ("acoustic", "vocoder"):
        _field(document, path, "graphs", role)
    for role, name in graphs.items():
        graph_file(path.parent, name, f"{path}: graphs.{role}")
    if document.get("vocoder_context_frames", 0) < 0:
        raise ConfigError(f"{path}: vocoder_context_frames must be >= 0")
    if "pitch" in document:
        for key in ("log_f0_mean", "log_f0_std"):
            _field(document, path, "pitch", key, kind=float)
        check_positive(document["pitch"], ("log_f0_std",), f"{path}: pitch.")
    if "flow" in graphs:
        for key, kind in _FLOW_FIELDS.items():
            _field(document, path, "flow", key, kind=kind)
        check_positive(document["flow"], ("steps", "n_mels"), f"{path}: flow.")
    adv = document["emotion"].get("adv", {})
    check_value(adv, dict, f"{path}: emotion.adv")
    for label, vector in adv.items():
        check_value(vector, list[float], f"{path}: emotion.adv.{label}")


@dataclass(frozen=True)
class VoiceConfig:
    """A voice's declared settings. ``kind`` is "torch" or "onnx"; ``document`` is the file;
    ``calibration`` the intensity calibration, None for a voice without one."""

    kind: str
    directory: Path
    audio: AudioConfig
    language: str
    symbols: list[str]
    labels: list[str]
    speakers: list[str]
    vocoder: str
    document: dict = field(repr=False)
    calibration: IntensityCalibration | None = field(default=None, repr=False)

    @classmethod
    def read(cls, directory: str | Path, kind: str | None = None) -> VoiceConfig:
        """Read config.json (kind "torch") or voice.json ("onnx"); None: by the files present."""
        directory = Path(directory)
        kind = kind or ("onnx" if is_exported_voice(directory) else "torch")
        if kind == "onnx":
            path = directory / ONNX_FILE
            document = read_voice_file(
                path,
                file_format=ONNX_FORMAT,
                version=ONNX_VERSION,
                sections=("audio", "text", "emotion", "speakers", "graphs", "defaults"),
                missing=f"{directory} is not an exported ONNX voice: {ONNX_FILE} is missing "
                f"(create one with: emotts export --voice VOICE_DIR --out {directory})",
                upgrade=" (re-export the voice)",
            )
            _check_onnx_document(document, path)
            labels = _names(document, path, "emotion", "labels")
            speakers = _names(document, path, "speakers")
        else:
            path = directory / TORCH_FILE
            document = read_voice_file(
                path,
                file_format=TORCH_FORMAT,
                version=TORCH_VERSION,
                sections=("audio", "text", "model"),
                missing=f"{directory} is not a voice directory: {TORCH_FILE} is missing "
                f"(a voice directory holds {TORCH_FILE} and model.safetensors)",
            )
            for section in ("text", "model"):
                _field(document, path, section, kind=dict)
            labels = _names(document, path, "model", "labels")
            speakers = _names(document, path, "model", "speakers")
        if "vocoder" in document:
            check_value(document["vocoder"], str, f"{path}: vocoder")
        config = cls(
            kind=kind,
            directory=directory,
            audio=_audio(document["audio"], path),
            language=_field(document, path, "text", "language", kind=str),
            symbols=_names(document, path, "text", "symbols"),
            labels=list(labels),
            speakers=list(speakers),
            vocoder=document.get("vocoder", DEFAULT_VOCODER),
            document=document,
            calibration=_calibration(document, path, list(labels)),
        )
        if kind == "torch":
            model_mels = document["model"].get("n_mels", config.audio.n_mels)
            if model_mels != config.audio.n_mels:
                raise ConfigError(
                    f"{path}: model.n_mels is {model_mels} but audio.n_mels is "
                    f"{config.audio.n_mels}; the audio section is the source of truth, the model "
                    "must have been trained on those mels"
                )
        return config

    def check_mel_settings(self, source: str, settings: dict[str, object]) -> None:
        """Refuse a vocoder or graph (``source``, named in the error) whose sample rate, hop or
        mel bands differ from the voice's audio section; keys absent from ``settings`` pass."""
        differing = [
            f"{key} {settings[key]} (voice: {getattr(self.audio, key)})"
            for key in VOCODER_SETTINGS
            if key in settings and int(settings[key]) != getattr(self.audio, key)
        ]
        if differing:
            raise ConfigError(
                f"{self.directory}: {source} does not match the voice's audio settings: "
                f"{'; '.join(differing)}; use a vocoder trained on this front-end"
            )


def write_calibration(directory: str | Path, calibration: IntensityCalibration | None) -> Path:
    """Store ``calibration`` (None: remove it) in the voice's config.json or voice.json; the
    rest of the file is kept. The file is read back and checked before this returns."""
    voice = VoiceConfig.read(directory)
    path = Path(directory) / (ONNX_FILE if voice.kind == "onnx" else TORCH_FILE)
    document = dict(voice.document)
    document.pop("calibration", None)
    if calibration is not None:
        document["calibration"] = calibration.to_dict()
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False), encoding="utf-8")
    VoiceConfig.read(directory, voice.kind)
    return path
