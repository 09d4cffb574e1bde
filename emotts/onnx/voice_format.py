"""The exported ONNX voice directory: file names and `voice.json` (numpy/json only, no torch).

acoustic.onnx        AcousticModel.forward: named inputs ACOUSTIC_INPUTS -> ACOUSTIC_OUTPUTS
acoustic.int8.onnx   optional, dynamic int8 quantization of acoustic.onnx (--quantize)
vocoder.onnx         mel [B, n_mels, T] -> audio [B, T * hop]
voice.json           audio config, symbols, language, labels + ADV, speakers, defaults
"""

from __future__ import annotations

import json
from pathlib import Path

from emotts.errors import ConfigError

ONNX_VOICE_FORMAT = "emotts-onnx-voice"
ONNX_VOICE_VERSION = 1
ONNX_OPSET = 17
VOICE_FILE = "voice.json"
ACOUSTIC_FILE = "acoustic.onnx"
ACOUSTIC_INT8_FILE = "acoustic.int8.onnx"
VOCODER_FILE = "vocoder.onnx"
_SECTIONS = ("audio", "text", "emotion", "speakers", "graphs", "defaults")


def read_voice_json(directory: str | Path) -> dict:
    """Read and check an exported voice's voice.json; errors say what is wrong and expected."""
    directory = Path(directory)
    path = directory / VOICE_FILE
    if not path.is_file():
        raise ConfigError(
            f"{directory} is not an exported ONNX voice: {VOICE_FILE} is missing "
            f"(create one with: emotts export --voice VOICE_DIR --out {directory})"
        )
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ConfigError(f"{path} is not valid JSON: {error.msg} at line {error.lineno}") from None
    if config.get("format") != ONNX_VOICE_FORMAT:
        raise ConfigError(
            f"{path}: 'format' is {config.get('format')!r}; expected {ONNX_VOICE_FORMAT!r}"
        )
    if config.get("version") != ONNX_VOICE_VERSION:
        raise ConfigError(
            f"{path}: ONNX voice format version {config.get('version')!r} is not supported; "
            f"this emotts reads version {ONNX_VOICE_VERSION} (re-export the voice)"
        )
    missing = [key for key in _SECTIONS if key not in config]
    if missing:
        raise ConfigError(f"{path}: sections {missing} are missing; expected {list(_SECTIONS)}")
    for key in ("acoustic", "vocoder"):
        graph = config["graphs"].get(key)
        if graph is None or not (directory / graph).is_file():
            raise ConfigError(f"{path}: the {key} graph {graph!r} is missing from {directory}")
    return config


def write_voice_json(directory: Path, config: dict) -> Path:
    path = directory / VOICE_FILE
    path.write_text(json.dumps(config, indent=2, ensure_ascii=False), encoding="utf-8")
    return path
