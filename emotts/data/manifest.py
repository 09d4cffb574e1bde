"""The training manifest: one JSON object per line.

Every recipe writes this format and every training run reads it, so corpora with labels only,
ADV only, both or neither share one loader::

    {"id": "slt_000001", "audio": "wavs/slt_000001.wav", "text": "...", "speaker": "slt",
     "emotion": "happy" | null, "adv": [a, d, v] | null, "intensity": 1.2 | null,
     "split": "train" | "val" | "test" | "judge"}

``audio`` is relative to the manifest's folder or absolute. Extra keys (e.g. the prosody
parameters a synthetic corpus applied) are kept in ``extra`` and written back unchanged.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from emotts.errors import ConfigError

SPLITS = ("train", "val", "test", "judge")
_CORE_KEYS = ("id", "audio", "text", "speaker", "emotion", "adv", "intensity", "split")


@dataclass(frozen=True)
class ManifestEntry:
    """One utterance of a corpus."""

    id: str
    audio: str
    text: str
    speaker: str
    emotion: str | None = None
    adv: tuple[float, float, float] | None = None
    intensity: float | None = None
    split: str = "train"
    extra: dict = field(default_factory=dict, compare=False)

    def audio_path(self, manifest_dir: Path) -> Path:
        """Absolute path of the audio file, resolving a relative path against the manifest."""
        path = Path(self.audio)
        return path if path.is_absolute() else manifest_dir / path

    def to_dict(self) -> dict:
        row = {
            "id": self.id,
            "audio": self.audio,
            "text": self.text,
            "speaker": self.speaker,
            "emotion": self.emotion,
            "adv": list(self.adv) if self.adv is not None else None,
            "intensity": self.intensity,
            "split": self.split,
        }
        row.update(self.extra)
        return row


def _field_error(where: str, name: str, problem: str, accepted: str) -> ConfigError:
    return ConfigError(f"{where}: field '{name}' {problem}; accepted: {accepted}")


def entry_from_dict(row: object, where: str = "manifest row") -> ManifestEntry:
    """Validate one manifest row; errors name the row and the field."""
    if not isinstance(row, dict):
        raise ConfigError(f"{where}: expected a JSON object, got {type(row).__name__}")
    for name in ("id", "audio", "text", "speaker"):
        value = row.get(name)
        if not isinstance(value, str) or not value.strip():
            raise _field_error(where, name, f"is {value!r}", "a non-empty string")
    emotion = row.get("emotion")
    if emotion is not None and (not isinstance(emotion, str) or not emotion.strip()):
        raise _field_error(where, "emotion", f"is {emotion!r}", "an emotion label string or null")
    adv = row.get("adv")
    if adv is not None:
        if (
            not isinstance(adv, list)
            or len(adv) != 3
            or not all(isinstance(x, int | float) and not isinstance(x, bool) for x in adv)
        ):
            raise _field_error(where, "adv", f"is {adv!r}", "[arousal, dominance, valence] or null")
        if not all(math.isfinite(x) and -1.0 <= x <= 1.0 for x in adv):
            raise _field_error(where, "adv", f"is {adv!r}", "three numbers each in [-1, 1]")
        adv = (float(adv[0]), float(adv[1]), float(adv[2]))
    intensity = row.get("intensity")
    if intensity is not None:
        if isinstance(intensity, bool) or not isinstance(intensity, int | float):
            raise _field_error(
                where, "intensity", f"is {intensity!r}", "a number in [-1, 2] or null"
            )
        if not (math.isfinite(intensity) and -1.0 <= intensity <= 2.0):
            raise _field_error(
                where, "intensity", f"is {intensity!r}", "a number in [-1, 2] or null"
            )
        intensity = float(intensity)
    split = row.get("split", "train")
    if split not in SPLITS:
        raise _field_error(where, "split", f"is {split!r}", ", ".join(SPLITS))
    extra = {k: v for k, v in row.items() if k not in _CORE_KEYS}
    return ManifestEntry(
        id=row["id"],
        audio=row["audio"],
        text=row["text"],
        speaker=row["speaker"],
        emotion=emotion,
        adv=adv,
        intensity=intensity,
        split=split,
        extra=extra,
    )


def read_manifest(path: str | Path) -> list[ManifestEntry]:
    """Read and validate a JSONL manifest; duplicate ids are an error."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"manifest {path} does not exist; expected a JSONL file")
    entries: list[ManifestEntry] = []
    seen: dict[str, int] = {}
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as error:
        line = path.read_bytes()[: error.start].count(b"\n") + 1
        raise ConfigError(
            f"{path}:{line}: not UTF-8 text ({error.reason}); a manifest is UTF-8 JSONL"
        ) from None
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            row = json.loads(line)
        except json.JSONDecodeError as error:
            raise ConfigError(
                f"{where}: not valid JSON ({error.msg} at column {error.colno})"
            ) from None
        entry = entry_from_dict(row, where)
        if entry.id in seen:
            raise ConfigError(f"{where}: id {entry.id!r} already used on line {seen[entry.id]}")
        seen[entry.id] = number
        entries.append(entry)
    if not entries:
        raise ConfigError(f"manifest {path} has no entries")
    return entries


def write_manifest(path: str | Path, entries: Iterable[ManifestEntry]) -> None:
    """Write entries as JSONL (UTF-8, one object per line)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        for entry in entries:
            handle.write(json.dumps(entry.to_dict(), ensure_ascii=False) + "\n")


def hours_by_speaker_and_split(path: str | Path) -> dict[str, dict[str, float]]:
    """Hours of audio per speaker and split (read from the wav headers); every level has an
    ``"all"`` entry (``table["all"]["train"]`` is the train split of every speaker)."""
    import soundfile as sf

    manifest = Path(path)
    table: dict[str, dict[str, float]] = {"all": {"all": 0.0}}
    for entry in read_manifest(manifest):
        audio = entry.audio_path(manifest.parent)
        try:
            hours = sf.info(str(audio)).duration / 3600
        except (RuntimeError, OSError) as error:
            raise ConfigError(f"{manifest}: cannot read {audio} ({error})") from error
        for speaker in (entry.speaker, "all"):
            row = table.setdefault(speaker, {"all": 0.0})
            row[entry.split] = row.get(entry.split, 0.0) + hours
            row["all"] += hours
    # Speakers first (in manifest order), the total last.
    return {speaker: row for speaker, row in table.items() if speaker != "all"} | {
        "all": table["all"]
    }


def hours_by_split(path: str | Path) -> dict[str, float]:
    """Hours of audio per split (read from the wav headers), plus ``"all"``."""
    return hours_by_speaker_and_split(path)["all"]
