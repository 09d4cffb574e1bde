"""Any corpus described by a CSV or JSONL file.

Columns (CSV header or JSON keys): ``path`` and ``text`` are required; ``speaker``, ``label``,
``arousal``, ``dominance``, ``valence``, ``id`` and ``split`` are optional and may be empty.
``path`` is relative to the metadata file's folder or absolute. ADV values are already in
[-1, 1] and come as all three or none. ``split`` is train, val or test (dev/validation = val);
without it a val split is drawn from train.

``--root`` is the CSV/JSONL file itself, or a folder holding ``metadata.csv`` or
``metadata.jsonl``.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Iterator
from pathlib import Path

from emotts.data.recipes.common import (
    BAD_ROW,
    NO_TRANSCRIPT,
    ScanOptions,
    ScanResult,
    SourceItem,
    clean_text,
    first_existing,
    read_text,
)
from emotts.errors import ConfigError

NAME = "generic"
SUMMARY = "CSV or JSONL file (or a folder with metadata.csv / metadata.jsonl) with path,text,..."

REQUIRED = ("path", "text")
ADV_COLUMNS = ("arousal", "dominance", "valence")
SPLITS = {"train": "train", "val": "val", "dev": "val", "validation": "val", "test": "test"}


def _metadata_file(root: Path) -> Path:
    if root.is_file():
        if root.suffix.lower() not in (".csv", ".jsonl"):
            raise ConfigError(f"--root {str(root)!r} is not a .csv or .jsonl file")
        return root
    found = first_existing([root / "metadata.csv", root / "metadata.jsonl"])
    if found is None:
        raise ConfigError(
            f"no metadata.csv or metadata.jsonl in {str(root)!r}; pass the CSV/JSONL file as "
            "--root or name it metadata.csv / metadata.jsonl"
        )
    return found


def _rows(path: Path, result: ScanResult) -> Iterator[tuple[str, dict]]:
    """(where, row with lower-case keys); lines that are not JSON objects become skips."""
    text = read_text(path)
    if path.suffix.lower() == ".csv":
        reader = csv.DictReader(text.splitlines())
        columns = [c.strip().lower() for c in reader.fieldnames or []]
        missing = [c for c in REQUIRED if c not in columns]
        if missing:
            raise ConfigError(
                f"{str(path)!r} has no column(s) {', '.join(missing)}; header found: "
                f"{', '.join(columns) or '(none)'}; required: path, text"
            )
        for number, row in enumerate(reader, start=2):
            yield f"{path.name}:{number}", {str(k).strip().lower(): v for k, v in row.items()}
        return
    for number, line in enumerate(text.splitlines(), start=1):
        where = f"{path.name}:{number}"
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as error:
            result.skip(where, BAD_ROW, f"not valid JSON ({error.msg})")
            continue
        if not isinstance(row, dict):
            result.skip(where, BAD_ROW, "expected a JSON object")
            continue
        yield where, {str(k).strip().lower(): v for k, v in row.items()}


def _field(row: dict, name: str) -> str:
    value = row.get(name)
    return "" if value is None else str(value).strip()


def parse_adv(row: dict) -> tuple[float, float, float] | None:
    """The row's ADV vector, None when all three are empty.

    Raises:
        ValueError: only some are given, one is not a number, or one is outside [-1, 1].
    """
    raw = [_field(row, name) for name in ADV_COLUMNS]
    if not any(raw):
        return None
    if not all(raw):
        raise ValueError("give all three of arousal, dominance, valence, or none")
    values = [float(x) for x in raw]
    if not all(math.isfinite(x) and -1.0 <= x <= 1.0 for x in values):
        raise ValueError(f"arousal, dominance, valence {raw} must each be in [-1, 1]")
    return (values[0], values[1], values[2])


def scan(root: Path, options: ScanOptions) -> ScanResult:
    metadata = _metadata_file(root)
    base = metadata.parent
    result = ScanResult()
    for where, row in _rows(metadata, result):
        path_text = _field(row, "path")
        if not path_text:
            result.skip(where, BAD_ROW, "empty path")
            continue
        audio = base / path_text
        text = clean_text(_field(row, "text"))
        if not text:
            result.skip(audio, NO_TRANSCRIPT, f"{where} has an empty text")
            continue
        try:
            adv = parse_adv(row)
        except ValueError as error:
            result.skip(audio, BAD_ROW, f"{where}: {error}")
            continue
        split_text = _field(row, "split").lower()
        if split_text and split_text not in SPLITS:
            detail = f"{where}: split {split_text!r}; accepted: {', '.join(SPLITS)} or empty"
            result.skip(audio, BAD_ROW, detail)
            continue
        utterance_id = _field(row, "id") or Path(path_text).with_suffix("").as_posix().replace(
            "/", "_"
        )
        result.items.append(
            SourceItem(
                id=utterance_id,
                audio=audio,
                text=text,
                speaker=_field(row, "speaker") or "speaker",
                label=_field(row, "label") or None,
                adv=adv,
                split=SPLITS.get(split_text),
            )
        )
    return result
