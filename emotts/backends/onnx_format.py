"""The exported ONNX voice directory: file names and writing `voice.json` (json only, no torch).

`emotts.voices.config.VoiceConfig` reads it back.

acoustic.onnx        AcousticModel.forward: named inputs ACOUSTIC_INPUTS -> ACOUSTIC_OUTPUTS;
                     for a flow voice AcousticModel.prepare -> FLOW_PREPARED_OUTPUTS
flow.onnx            flow voices: the one-step guided velocity (emotts.onnx.flow_export),
                     looped by the runtime (voice.json "flow" holds the sampler defaults)
acoustic.int8.onnx   optional, dynamic int8 quantization of acoustic.onnx (--quantize)
vocoder.onnx         mel [B, n_mels, T] -> audio [B, T * hop]
voice.json           audio config, symbols, language, labels + ADV, speakers, defaults
"""

from __future__ import annotations

import json
from pathlib import Path

from emotts.atomic import write_bytes_atomically
from emotts.voices.config import ONNX_FILE as VOICE_FILE

ONNX_OPSET = 17
ACOUSTIC_FILE = "acoustic.onnx"
ACOUSTIC_INT8_FILE = "acoustic.int8.onnx"
VOCODER_FILE = "vocoder.onnx"
FLOW_FILE = "flow.onnx"


def write_voice_json(directory: Path, config: dict) -> Path:
    path = directory / VOICE_FILE
    write_bytes_atomically(path, json.dumps(config, indent=2, ensure_ascii=False).encode("utf-8"))
    return path
