"""Audio front-end: file io, the HiFi-GAN-compatible log-mel, and F0/energy features.

Only :class:`AudioConfig` is imported eagerly: the ONNX runtime reads the config but must not
import torch, which the other modules need. The rest load on first attribute access.
"""

from __future__ import annotations

import importlib
from typing import Any

from emotts.audio.config import AudioConfig

_LAZY = {
    "MelSpectrogram": "emotts.audio.mel",
    "mel_spectrogram": "emotts.audio.mel",
    "extract_f0": "emotts.audio.features",
    "extract_energy": "emotts.audio.features",
    "load_audio": "emotts.audio.io",
    "save_audio": "emotts.audio.io",
}

__all__ = ["AudioConfig", *_LAZY]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'emotts.audio' has no attribute {name!r}")
