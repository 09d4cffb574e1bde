"""The exported ONNX voice directory: file names and `voice.json` (numpy/json only, no torch).

acoustic.onnx        AcousticModel.forward: named inputs ACOUSTIC_INPUTS -> ACOUSTIC_OUTPUTS
acoustic.int8.onnx   optional, dynamic int8 quantization of acoustic.onnx (--quantize)
vocoder.onnx         mel [B, n_mels, T] -> audio [B, T * hop]
voice.json           audio config, symbols, language, labels + ADV, speakers, defaults
"""

from __future__ import annotations

import json
from pathlib import Path

from emotts.voices import read_voice_file

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
    return read_voice_file(
        directory / VOICE_FILE,
        file_format=ONNX_VOICE_FORMAT,
        version=ONNX_VOICE_VERSION,
        sections=_SECTIONS,
        missing=f"{directory} is not an exported ONNX voice: {VOICE_FILE} is missing "
        f"(create one with: emotts export --voice VOICE_DIR --out {directory})",
        upgrade=" (re-export the voice)",
    )


def write_voice_json(directory: Path, config: dict) -> Path:
    path = directory / VOICE_FILE
    path.write_text(json.dumps(config, indent=2, ensure_ascii=False), encoding="utf-8")
    return path
