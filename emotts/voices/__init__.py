"""Voices shipped inside the package, and resolution of a voice name or path."""

from __future__ import annotations

from pathlib import Path

from emotts.errors import ConfigError

VOICES_DIR = Path(__file__).parent
DEFAULT_VOICE = "default"
_VOICE_MARKERS = ("config.json", "voice.json")


def shipped_voices() -> list[str]:
    """Names of the voices inside the package."""
    return sorted(
        p.name
        for p in VOICES_DIR.iterdir()
        if p.is_dir() and any((p / marker).is_file() for marker in _VOICE_MARKERS)
    )


def resolve_voice(path_or_name: str | Path | None) -> Path:
    """A voice directory from a path, a shipped voice's name, or None for the default voice."""
    if path_or_name is None:
        path_or_name = DEFAULT_VOICE
    candidate = Path(path_or_name)
    if candidate.is_dir():
        return candidate
    shipped = VOICES_DIR / str(path_or_name)
    if shipped.is_dir() and any((shipped / marker).is_file() for marker in _VOICE_MARKERS):
        return shipped
    names = shipped_voices()
    available = ", ".join(names) if names else "none shipped in this installation"
    raise ConfigError(
        f"voice {str(path_or_name)!r} is neither a voice directory nor a shipped voice; "
        f"shipped voices: {available}; or pass the path of a trained voice directory"
    )
