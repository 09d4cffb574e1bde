"""Backends behind one factory: the torch `Voice` and the onnxruntime `OnnxVoice`.

`load_voice` picks the backend and imports only that backend's module, so loading an ONNX
voice never imports torch (the serving path installs without it).
"""

from __future__ import annotations

from pathlib import Path

from emotts.errors import ControlError
from emotts.synthesis.pipeline import SpeechSynthesizer
from emotts.voices import resolve_voice
from emotts.voices.config import is_exported_voice

BACKENDS = ("auto", "torch", "onnx")


def check_backend(backend: str) -> str:
    if backend not in BACKENDS:
        raise ControlError(f"unknown backend {backend!r}; accepted: {', '.join(BACKENDS)}")
    return backend


def resolve_backend(directory: Path, backend: str) -> str:
    """ "auto" -> "onnx" for an exported voice directory, "torch" otherwise."""
    if check_backend(backend) == "auto":
        return "onnx" if is_exported_voice(directory) else "torch"
    return backend


def load_voice(
    path_or_name: str | Path | None = None,
    backend: str = "auto",
    vocoder: str | None = None,
    threads: int | None = None,
) -> SpeechSynthesizer:
    """Load a voice directory, a shipped voice by name, or the default voice (None).

    backend: "torch", "onnx" (an exported voice, served by onnxruntime) or "auto" (ONNX when
    the directory is an exported voice, torch otherwise). vocoder: override the voice's vocoder
    ("hifigan-universal" or "griffinlim"); an ONNX voice carries its vocoder as a graph, so
    there only its own name is accepted. threads: CPU threads for inference (None: default).
    """
    check_backend(backend)
    directory = resolve_voice(path_or_name)
    if resolve_backend(directory, backend) == "onnx":
        from emotts.backends.onnx_voice import OnnxVoice

        voice = OnnxVoice.load(directory, threads=threads)
        if vocoder is not None and vocoder != voice.vocoder_name:
            raise ControlError(
                f"{directory} is an ONNX voice exported with vocoder {voice.vocoder_name!r}; "
                f"it cannot use {vocoder!r} (drop the vocoder override, or use the torch voice)"
            )
        return voice
    from emotts.backends.torch_voice import Voice

    return Voice.from_directory(directory, vocoder=vocoder, threads=threads)
