"""Per-speaker grids of ``emotts eval --speaker``: which speakers, their items, their references.

Each chosen speaker renders the whole grid. Its items are the grid's own with ``speaker`` set
and the id prefixed (``slt/s00-happy-i1``), so the item cache never answers one speaker's
request with another's rendering and each speaker's audio lands in ``audio/<speaker>/``.
Reference items of a speaker use only that speaker's rows of the reference manifest; a
manifest without speakers cannot say whose recordings they are, so its rows are left out of
per-speaker grids (with a note in the report) rather than compared across voices.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from emotts.errors import ConfigError
from emotts.eval.distinct import distinctness
from emotts.eval.grid import GridItem
from emotts.eval.item_cache import EMBEDDING_KEY
from emotts.eval.manifest import ReferenceRow

ALL = "all"
# A speaker name becomes a folder under audio/ and a prefix of item ids.
_SAFE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")


def parse_speaker_args(values: Sequence[str] | None) -> tuple[str, ...] | None:
    """``--speaker`` values (repeatable, each maybe a comma list) as one ordered tuple."""
    if values is None:
        return None
    names = [part.strip() for value in values for part in value.split(",")]
    if not all(names):
        raise ConfigError(
            f"--speaker {','.join(values)!r} has an empty name; give speaker names, a comma "
            "list of them, or 'all'"
        )
    return tuple(dict.fromkeys(names))


def resolve_speakers(
    requested: Sequence[str] | None, voice_speakers: Sequence[str], voice_name: str
) -> list[str] | None:
    """The speakers to render, or None for the plain run (no ``--speaker``, or a one-speaker
    voice, which has nothing to split and keeps the plain report).

    ``all`` stands for every speaker of the voice; a name the voice lacks is a ConfigError.
    """
    if requested is None:
        return None
    known = list(voice_speakers)
    names: list[str] = []
    for name in requested:
        names += known if name == ALL else [name]
    unknown = [name for name in names if name not in known]
    if unknown:
        raise ConfigError(
            f"--speaker: {', '.join(unknown)} not a speaker of {voice_name}; its speakers: "
            f"{', '.join(known) or '(none listed)'} (or 'all')"
        )
    if len(known) <= 1:
        return None
    bad = [name for name in names if not _SAFE_NAME.fullmatch(name)]
    if bad:
        raise ConfigError(
            f"speaker name(s) {bad} cannot name a folder of the report; per-speaker runs "
            "accept letters, digits, '_', '.', '-' (not leading '.' or '-')"
        )
    return list(dict.fromkeys(names))


def references_for(
    speaker: str, references: Sequence[ReferenceRow]
) -> tuple[list[ReferenceRow], str | None]:
    """``speaker``'s reference rows and a note for the report when some or all are skipped."""
    if not references:
        return [], None
    if all(row.speaker is None for row in references):
        return [], (
            f"{speaker}: reference items skipped, the reference manifest has no speaker column "
            "(whose recordings they are is unknown)"
        )
    own = [row for row in references if row.speaker == speaker]
    if not own:
        return [], f"{speaker}: reference items skipped, the manifest has no rows of {speaker}"
    return own, None


def speaker_items(items: Sequence[GridItem], speaker: str) -> list[GridItem]:
    """``items`` rendered by ``speaker``: speaker set, id ``speaker/id``."""
    return [replace(item, id=f"{speaker}/{item.id}", speaker=speaker) for item in items]


def grid_distinctness(
    records: Sequence[dict], speakers: Sequence[str]
) -> tuple[dict | None, str | None]:
    """Within/cross speaker similarity (:func:`emotts.eval.distinct.distinctness`) of the
    grid's neutral label renderings, reused instead of rendering new sentences; or None and
    the reason when there are too few (one speaker, or fewer than 2 neutral renderings each).

    ``records`` must still hold their embeddings; every speaker's neutral sentences are taken
    in grid order, so sentence i is the same text for every speaker.
    """
    if len(speakers) < 2:
        return None, "distinctness needs at least two speakers; one was evaluated"
    embeddings: dict[str, list[np.ndarray]] = {}
    for speaker in speakers:
        rows = [
            r
            for r in records
            if r.get("speaker") == speaker
            and r["kind"] == "label"
            and r["label"] == "neutral"
            and EMBEDDING_KEY in r
        ]
        rows.sort(key=lambda r: r["id"])
        embeddings[speaker] = [np.asarray(r[EMBEDDING_KEY]) for r in rows]
    short = [s for s, rows in embeddings.items() if len(rows) < 2]
    if short:
        return None, (
            f"distinctness not measured: {', '.join(short)} rendered fewer than 2 neutral "
            "label items (the grid needs 2 or more sentences and the label kind)"
        )
    result = distinctness(embeddings)
    result["n_per_speaker"] = {s: len(v) for s, v in embeddings.items()}
    result["source"] = "the grid's neutral label renderings"
    return result, None
