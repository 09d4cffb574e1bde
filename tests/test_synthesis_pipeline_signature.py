"""`stream` and `synthesize` take the same typed controls (no ``**options`` catch-all)."""

from __future__ import annotations

import inspect

from emotts.synthesis.pipeline import SpeechSynthesizer


def test_stream_is_typed_like_synthesize():
    synthesize = inspect.signature(SpeechSynthesizer.synthesize).parameters
    stream = inspect.signature(SpeechSynthesizer.stream).parameters
    assert list(stream.values()) == list(synthesize.values())
    assert all(p.kind is not p.VAR_KEYWORD for p in stream.values())
