"""Which voices the page offers, which backends each supports, and a per-process voice cache.

Loading a voice costs seconds (weights, ONNX sessions, the phonemizer), so every session of the
server shares one loaded copy per (directory, backend).
"""

from __future__ import annotations

import functools
import threading
from pathlib import Path

from emotts.errors import ConfigError, ControlError
from emotts.voices import DEFAULT_VOICE, resolve_voice, shipped_voices

BACKEND_CHOICES = ("torch", "onnx")
# Voices stay loaded for the life of the server; a handful covers the shipped ones plus a few
# typed-in paths without letting a long-running server grow without bound.
_CACHE_SIZE = 8
_load_lock = threading.Lock()


def voice_choices(cli_voice: str | None) -> list[str]:
    """The voice dropdown: the voice given on the command line first, then the shipped ones."""
    choices = [cli_voice] if cli_voice else []
    return choices + [name for name in shipped_voices() if name not in choices]


def initial_voice(cli_voice: str | None) -> str:
    """The voice the page starts with: ``--voice``, else the shipped default voice."""
    if cli_voice:
        resolve_voice(cli_voice)
        return cli_voice
    if DEFAULT_VOICE in shipped_voices():
        return DEFAULT_VOICE
    raise ConfigError(
        "no default voice ships with this installation yet; start the demo with "
        "--voice DIR, the directory of a trained (or exported) voice"
    )


def available_backends(voice: str) -> list[str]:
    """Backends a voice directory can run on: torch needs the weights, ONNX an export."""
    directory = resolve_voice(voice)
    backends = []
    if (directory / "model.safetensors").is_file():
        backends.append("torch")
    if (directory / "voice.json").is_file():
        backends.append("onnx")
    return backends


def pick_backend(voice: str, requested: str = "auto") -> str:
    """``auto`` means torch when the voice has weights, else ONNX (as ``emotts.load_voice`` decides)."""
    offered = available_backends(voice)
    if requested == "auto":
        if not offered:
            raise ConfigError(
                f"{voice!r} has neither model.safetensors nor voice.json; not a voice"
            )
        return offered[0]
    if requested not in offered:
        raise ControlError(
            f"voice {voice!r} cannot run on the {requested} backend; it offers: "
            f"{', '.join(offered) or 'none'} (ONNX needs a directory written by `emotts export`)"
        )
    return requested


def load_voice(voice: str, backend: str):
    """The loaded voice for a name or directory, shared by all sessions."""
    directory = resolve_voice(voice).resolve()
    backend = pick_backend(str(directory), backend)
    # One load at a time: two sessions asking for the same new voice must not both load it.
    with _load_lock:
        return _cached_load(directory, backend)


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _cached_load(directory: Path, backend: str):
    from emotts.backends import load_voice as load

    return load(directory, backend=backend)
