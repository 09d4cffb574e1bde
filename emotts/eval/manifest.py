"""Reading reference manifests (the JSONL format of docs/architecture.md, emotts.data).

The evaluation needs only a read-only view of the rows, with audio paths resolved, so it
keeps this small reader instead of depending on the training-side data package.

Synthetic corpora withhold the label or the ADV of some rows from training but keep the truth
in ``true_emotion``, ``true_adv`` and ``true_intensity``. Evaluation scores recordings against
what they really carry, so where such a key is present it replaces the training-facing field
(even when null: a continuous-ADV row has no true label).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from emotts.errors import ConfigError

REQUIRED = ("id", "audio", "text")


@dataclass(frozen=True)
class ReferenceRow:
    id: str
    audio: Path
    text: str
    speaker: str | None
    emotion: str | None
    adv: tuple[float, float, float] | None
    intensity: float | None
    split: str | None


def _truth(raw: dict, field: str) -> object:
    """``true_<field>`` where the manifest records it, else ``field``."""
    key = f"true_{field}"
    return raw[key] if key in raw else raw.get(field)


def _parse(raw: dict, line: int, folder: Path, path: Path) -> ReferenceRow:
    for field in REQUIRED:
        if not isinstance(raw.get(field), str) or not raw[field]:
            raise ConfigError(f"{path} line {line}: field '{field}' must be a non-empty string")
    adv = _truth(raw, "adv")
    if adv is not None and (
        not isinstance(adv, list)
        or len(adv) != 3
        or not all(isinstance(v, int | float) for v in adv)
    ):
        raise ConfigError(
            f"{path} line {line}: field 'adv' (or 'true_adv') must be null or [a, d, v] numbers"
        )
    intensity = _truth(raw, "intensity")
    if intensity is not None and not isinstance(intensity, int | float):
        raise ConfigError(
            f"{path} line {line}: field 'intensity' (or 'true_intensity') must be null or a number"
        )
    audio = Path(raw["audio"])
    return ReferenceRow(
        id=raw["id"],
        audio=audio if audio.is_absolute() else folder / audio,
        text=raw["text"],
        speaker=raw.get("speaker"),
        emotion=_truth(raw, "emotion"),
        adv=tuple(float(v) for v in adv) if adv is not None else None,
        intensity=float(intensity) if intensity is not None else None,
        split=raw.get("split"),
    )


def read_rows(path: str | Path, splits: tuple[str, ...] | None = None) -> list[ReferenceRow]:
    """Rows of a JSONL manifest, optionally only those whose split is in ``splits``."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"manifest {path} does not exist")
    rows = []
    for line_no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"{path} line {line_no}: invalid JSON ({exc.msg})") from exc
        if not isinstance(raw, dict):
            raise ConfigError(f"{path} line {line_no}: each line must be a JSON object")
        row = _parse(raw, line_no, path.parent, path)
        if splits is None or row.split in splits:
            rows.append(row)
    return rows
