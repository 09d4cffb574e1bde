"""Voices shipped inside the package, and resolution of a voice name or path."""

from __future__ import annotations

import json
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


def read_voice_file(
    path: Path,
    *,
    file_format: str,
    version: int,
    sections: tuple[str, ...],
    missing: str,
    upgrade: str = "",
) -> dict:
    """Read a voice's JSON description (torch `config.json` or ONNX `voice.json`) and check its
    format name, version and sections; errors say what is wrong and what is expected.

    missing: the message when the file does not exist; upgrade: advice for an old version.
    """
    if not path.is_file():
        raise ConfigError(missing)
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ConfigError(f"{path} is not valid JSON: {error.msg} at line {error.lineno}") from None
    except UnicodeDecodeError as error:
        raise ConfigError(
            f"{path} is not UTF-8 text: {error.reason} at byte {error.start}"
        ) from None
    except OSError as error:
        raise ConfigError(f"cannot read {path}: {error.strerror or error}") from None
    if not isinstance(config, dict) or config.get("format") != file_format:
        found = config.get("format") if isinstance(config, dict) else type(config).__name__
        raise ConfigError(f"{path}: 'format' is {found!r}; expected {file_format!r}")
    if config.get("version") != version:
        raise ConfigError(
            f"{path}: format version {config.get('version')!r} is not supported; "
            f"this emotts reads version {version}{upgrade}"
        )
    absent = [key for key in sections if key not in config]
    if absent:
        raise ConfigError(f"{path}: sections {absent} are missing; expected {list(sections)}")
    return config
