"""The Python API in one import: `load_voice`, `Voice`, `Emotion`, `Audio`.

from emotts import load_voice, Emotion
voice = load_voice()                      # the default voice shipped in the package
audio = voice.synthesize("Hello there!", emotion=Emotion.label("happy", intensity=1.3))
audio.save("hello.wav"); audio.words     # word timings in seconds

Names resolve lazily, so importing this module (or `emotts`) loads torch only when the torch
`Voice` itself is asked for; an ONNX voice from `load_voice` never imports it.
"""

from __future__ import annotations

_HOMES = {
    "Audio": ("emotts.synthesis.result", "Audio"),
    "Emotion": ("emotts.emotion.spec", "EmotionSpec"),
    "EmotionSpec": ("emotts.emotion.spec", "EmotionSpec"),
    "Voice": ("emotts.backends.torch_voice", "Voice"),
    "coerce_emotion": ("emotts.synthesis.pipeline", "coerce_emotion"),
    "load_voice": ("emotts.backends", "load_voice"),
}
__all__ = sorted(_HOMES)


def __getattr__(name: str):
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    module, attribute = _HOMES[name]
    return getattr(importlib.import_module(module), attribute)
