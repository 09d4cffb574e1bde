"""The voices a server speaks with: loaded once at start-up, chosen by name, never by path.

A request can only name a voice the server was started with, so no request can make the
server read a file of its choosing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from emotts.errors import ConfigError, ControlError
from emotts.synthesis.pipeline import SpeechSynthesizer

# OpenAI model names accepted in `model`: a client written for OpenAI sends one of them; they
# all mean "this server's engine", since the voice (not the model) picks the weights here.
OPENAI_MODEL_NAMES = ("tts-1", "tts-1-hd", "gpt-4o-mini-tts")
ENGINE_NAME = "emotts"


@dataclass
class ServedVoice:
    name: str
    synthesizer: SpeechSynthesizer
    backend: str


def parse_voice_argument(argument: str) -> tuple[str, str]:
    """``NAME=PATH`` -> (NAME, PATH); ``PATH`` or a shipped voice name -> (its folder name, it)."""
    name, sep, target = argument.partition("=")
    if sep:
        if not name.strip() or not target.strip():
            raise ConfigError(f"--voice {argument!r}: expected NAME=PATH with both parts given")
        return name.strip(), target.strip()
    return Path(argument.rstrip("/")).name or argument, argument


def backend_name(synthesizer: SpeechSynthesizer) -> str:
    return "onnx" if type(synthesizer).__name__ == "OnnxVoice" else "torch"


class VoiceRegistry:
    """Served voices by name; the first one is the default."""

    def __init__(self, voices: Mapping[str, SpeechSynthesizer]) -> None:
        if not voices:
            raise ConfigError("a server needs at least one voice; give --voice")
        self.voices = {
            name: ServedVoice(name, synth, backend_name(synth)) for name, synth in voices.items()
        }
        self.default = next(iter(self.voices))

    def names(self) -> list[str]:
        return list(self.voices)

    def get(self, voice: str | None, model: str | None = None) -> ServedVoice:
        """The voice a request asks for through ``voice`` (or ``model``, or neither)."""
        if model is not None and model not in (ENGINE_NAME, *OPENAI_MODEL_NAMES):
            if model not in self.voices:
                raise ControlError(
                    f"unknown model {model!r}; accepted: {ENGINE_NAME}, "
                    f"{', '.join(OPENAI_MODEL_NAMES)} or a voice name ({', '.join(self.voices)})"
                )
            if voice is not None and voice != model:
                raise ControlError(
                    f"model {model!r} names a voice but voice is {voice!r}; give one of them"
                )
            voice = model
        if voice is None:
            return self.voices[self.default]
        if voice not in self.voices:
            raise ControlError(
                f"unknown voice {voice!r}; this server has: {', '.join(self.voices)} "
                "(voices are chosen when the server starts, never by path)"
            )
        return self.voices[voice]


def load_served_voice(
    path_or_name: str, backend: str = "auto", threads: int | None = None, device: str | None = None
) -> SpeechSynthesizer:
    """Load one voice for serving; an exported voice loads without importing torch.

    device: "cpu" or "cuda" (onnxruntime's CUDA provider); None: CUDA when onnxruntime-gpu
    provides it, else the CPU. The torch backend serves on the CPU only.
    """
    from emotts.backends import load_voice, resolve_backend
    from emotts.voices import resolve_voice

    directory = resolve_voice(path_or_name)
    if resolve_backend(directory, backend) == "onnx":
        from emotts.backends.onnx_voice import OnnxVoice
        from emotts.backends.providers import providers_for_device

        providers = None if device is None else providers_for_device(device)
        return OnnxVoice.load(directory, threads=threads, providers=providers)
    if device not in (None, "cpu"):
        raise ControlError(
            f"device {device!r} serves exported voices only; export {directory} with "
            "`emotts export` and serve the export, or use --device cpu"
        )
    return load_voice(directory, backend="torch", threads=threads)
