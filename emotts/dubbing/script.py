"""Script files (JSONL or CSV) -> cues, for pipelines that already know what each line needs.

Columns (JSONL keys): ``start``, ``end``, ``text`` (required); ``emotion`` (the ``-e``
syntax), ``intensity``, ``adv`` (``"A,D,V"`` or three numbers), ``speaker`` (one of the
voice's speakers), ``voice`` (a character name mapped by the cast), ``speed``, ``preset`` (or
``emotion: preset:NAME``; ``intensity`` then replaces the preset's intensity and ``speed`` its
speed). Times are seconds or timestamps (``HH:MM:SS.mmm``, ``MM:SS.mmm``, comma or dot). An unknown
CSV column is an error for the file; everything wrong inside one row is that cue's problem.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re

from emotts.dubbing.cues import Cue
from emotts.emotion.presets import PRESET_PREFIX, is_preset_reference
from emotts.emotion.spec import parse_emotion
from emotts.errors import ConfigError, EmottsError

REQUIRED_COLUMNS = ("start", "end", "text")
OPTIONAL_COLUMNS = ("emotion", "intensity", "adv", "speaker", "voice", "speed", "preset")
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
_COLUMNS_HELP = f"accepted columns: {', '.join(COLUMNS)} ({', '.join(REQUIRED_COLUMNS)} required)"
_TIMESTAMP = re.compile(r"(?:(\d+):)?(\d{1,2}):(\d{1,2}(?:[.,]\d{1,3})?)")


class _RowError(Exception):
    """One row's problem (becomes the cue's ``problem``)."""


def parse_time(value: object, name: str) -> float:
    """Seconds from a number or a timestamp string."""
    if isinstance(value, bool) or value is None:
        raise _RowError(f"{name} must be seconds or a timestamp, got {value!r}")
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str):
        text = value.strip()
        match = _TIMESTAMP.fullmatch(text)
        if match:
            hours, minutes, rest = match.groups()
            seconds = int(hours or 0) * 3600 + int(minutes) * 60 + float(rest.replace(",", "."))
        else:
            try:
                seconds = float(text)
            except ValueError:
                raise _RowError(
                    f"{name} {value!r} is not a time; accepted: seconds (12.5) or a "
                    "timestamp (00:00:12.500)"
                ) from None
    else:
        raise _RowError(f"{name} must be seconds or a timestamp, got {value!r}")
    if not math.isfinite(seconds) or seconds < 0:
        raise _RowError(f"{name} {value!r} is not a non-negative time")
    return seconds


def _number(value: object, name: str) -> float:
    if isinstance(value, bool):
        raise _RowError(f"{name} must be a number, got {value!r}")
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise _RowError(f"{name} must be a number, got {value!r}") from None
    if not math.isfinite(number):
        raise _RowError(f"{name} must be a finite number, got {value!r}")
    return number


def _adv_text(value: object) -> str:
    if isinstance(value, list | tuple):
        return ",".join(str(_number(v, "adv component")) for v in value)
    if isinstance(value, str):
        return value
    raise _RowError(f"adv must be 'A,D,V' or three numbers, got {value!r}")


def _cue_from_row(number: int, line: int, row: dict) -> Cue:
    """Build a cue from one row's given (non-empty) values; problems end up in the cue."""
    text = row.get("text")
    try:
        unknown = sorted(set(row) - set(COLUMNS))
        if unknown:
            raise _RowError(f"unknown keys {unknown}; {_COLUMNS_HELP}")
        missing = [name for name in REQUIRED_COLUMNS if row.get(name) is None]
        if missing:
            raise _RowError(f"missing {', '.join(missing)}; {_COLUMNS_HELP}")
        if not isinstance(text, str):
            raise _RowError(f"text must be a string, got {text!r}")
        start, end = parse_time(row["start"], "start"), parse_time(row["end"], "end")
        preset = row.get("preset")
        if preset is not None and not isinstance(preset, str):
            raise _RowError(f"preset must be a string, got {preset!r}")
        if is_preset_reference(row.get("emotion")):
            if preset is not None:
                raise _RowError("two presets are given (the preset column and emotion preset:NAME)")
            preset = row.pop("emotion").strip()[len(PRESET_PREFIX) :].strip()
        intensity = row.get("intensity")
        intensity = None if intensity is None else _number(intensity, "intensity")
        emotion = None
        if row.get("emotion") is not None or row.get("adv") is not None:
            try:
                emotion = parse_emotion(
                    row.get("emotion"),
                    intensity=intensity,
                    adv=None if row.get("adv") is None else _adv_text(row["adv"]),
                )
            except EmottsError as error:
                raise _RowError(f"invalid emotion: {error}") from None
        elif intensity is not None and preset is None:
            raise _RowError("intensity is given without an emotion, adv or preset in the same row")
        speed = None if row.get("speed") is None else _number(row["speed"], "speed")
        speaker = row.get("speaker")
        if speaker is not None and not isinstance(speaker, str | int):
            raise _RowError(f"speaker must be a name or an index, got {speaker!r}")
        if speaker is not None and row.get("voice") is not None:
            raise _RowError(
                "both speaker and voice are given; use speaker for one of the voice's "
                "speakers or voice for a character name that the cast maps"
            )
        if row.get("voice") is not None and not isinstance(row["voice"], str):
            raise _RowError(f"voice must be a string, got {row['voice']!r}")
    except _RowError as error:
        return Cue(
            number, None, None, text if isinstance(text, str) else "", line, problem=str(error)
        )
    return Cue(
        number,
        start,
        end,
        text,
        line,
        voice=row.get("voice"),
        speaker=speaker,
        emotion=emotion,
        speed=speed,
        preset=preset,
        intensity=intensity if emotion is None else None,
    )


def parse_jsonl(text: str) -> list[Cue]:
    """Cues of a JSONL script: one JSON object per non-blank line."""
    cues = []
    for line_number, line in enumerate(text.removeprefix("\ufeff").splitlines(), start=1):
        if not line.strip():
            continue
        number = len(cues) + 1
        try:
            row = json.loads(line)
        except json.JSONDecodeError as error:
            cues.append(Cue(number, None, None, "", line_number, problem=f"invalid JSON: {error}"))
            continue
        if not isinstance(row, dict):
            cues.append(
                Cue(
                    number,
                    None,
                    None,
                    "",
                    line_number,
                    problem=f"a line must be a JSON object, got {type(row).__name__}",
                )
            )
            continue
        cues.append(
            _cue_from_row(number, line_number, {k: v for k, v in row.items() if v is not None})
        )
    return cues


def parse_csv(text: str) -> list[Cue]:
    """Cues of a CSV script with a header row naming the columns."""
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    header = next(reader, None)
    if header is None:
        raise ConfigError(f"the CSV script is empty; it needs a header row ({_COLUMNS_HELP})")
    names = [name.strip().lower() for name in header]
    unknown = [name for name in names if name not in COLUMNS]
    missing = [name for name in REQUIRED_COLUMNS if name not in names]
    if unknown or missing or len(set(names)) != len(names):
        raise ConfigError(
            f"CSV header {header!r}: "
            + "; ".join(
                part
                for part in (
                    f"unknown columns {unknown}" if unknown else "",
                    f"missing {missing}" if missing else "",
                    "a column appears twice" if len(set(names)) != len(names) else "",
                )
                if part
            )
            + f"; {_COLUMNS_HELP}"
        )
    cues = []
    line = reader.line_num + 1
    for values in reader:
        if any(value.strip() for value in values):
            number = len(cues) + 1
            if len(values) != len(names):
                cues.append(
                    Cue(
                        number,
                        None,
                        None,
                        "",
                        line,
                        problem=(f"has {len(values)} fields, the header has {len(names)}"),
                    )
                )
            else:
                row = {n: v.strip() for n, v in zip(names, values, strict=True) if v.strip()}
                if "text" in row:
                    row["text"] = values[names.index("text")]
                cues.append(_cue_from_row(number, line, row))
        line = reader.line_num + 1
    return cues
