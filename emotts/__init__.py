"""emotts: emotional text-to-speech with label, blend, intensity, ADV and per-span control."""

from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["Audio", "Emotion", "EmotionSpec", "Voice", "__version__", "load_voice"]


def __getattr__(name: str):
    # Lazy (through emotts.api) so that the torch-free serving path (`load_voice` of an ONNX
    # voice) and light commands never pay for importing torch.
    if name in __all__:
        from emotts import api

        return getattr(api, name)
    raise AttributeError(f"module 'emotts' has no attribute {name!r}")
