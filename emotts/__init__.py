"""emotts: emotional text-to-speech with label, blend, intensity, ADV and per-span control."""

from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["Audio", "Emotion", "EmotionSpec", "Voice", "__version__"]


def __getattr__(name: str):
    # Lazy so that `import emotts.onnx.runtime` (the torch-free serving path) and light
    # commands never pay for importing torch.
    if name == "Voice":
        from emotts.api import Voice

        return Voice
    if name in ("Emotion", "EmotionSpec"):
        from emotts.emotion.spec import EmotionSpec

        return EmotionSpec
    if name == "Audio":
        from emotts.synthesis.result import Audio

        return Audio
    raise AttributeError(f"module 'emotts' has no attribute {name!r}")
