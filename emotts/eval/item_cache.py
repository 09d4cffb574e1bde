"""Resuming an ``emotts eval`` run: every scored item is appended to ``OUT/items.jsonl``.

A full grid takes an hour or more on a shared CPU, so an interrupted run must not start over.
Each line holds one item's complete record (grid settings, judge outputs, the speaker
embedding needed for ``speaker_to_neutral``). A re-run with the same ``--out`` reuses a record
when its item is the same request (same id *and* the same text, label, intensity, flow
controls, ...), and renders only what is missing or changed: adding ``--guidance-sweep`` to a
finished grid run renders only the sweep.

``OUT/settings.json`` records what every record depends on beyond the item itself (voice,
vocoder, judge, raw intensity, reference manifest); a run whose settings differ is refused
rather than mixed into the same folder. A folder holding only the ``report.json`` of an
earlier run (before this cache existed) seeds the cache from that report's items when its
meta matches.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from emotts.errors import ConfigError

#: Report-meta keys a record depends on, with the value an older report without them meant.
SETTINGS_DEFAULTS: dict[str, Any] = {
    "voice": None,
    "vocoder": None,
    "judge": None,
    "raw_intensity": False,
    "reference_manifest": None,
}

EMBEDDING_KEY = "speaker_embedding"


def _same_request(record: dict[str, Any], item: dict[str, Any]) -> bool:
    """Whether a stored record answers ``item`` (an ``GridItem.to_dict()``); keys an older
    record lacks count as None, the default of every optional item field."""
    return all(record.get(key) == _jsonable(value) for key, value in item.items())


def _jsonable(value: Any) -> Any:
    # Records come back from JSON: tuples are lists there.
    return json.loads(json.dumps(value)) if isinstance(value, tuple | dict) else value


class ItemCache:
    """Scored records of one output folder, keyed by item id."""

    def __init__(self, out: str | Path, settings: dict[str, Any]) -> None:
        self.out = Path(out)
        self.path = self.out / "items.jsonl"
        self.settings = {
            key: settings.get(key, default) for key, default in SETTINGS_DEFAULTS.items()
        }
        self.records: dict[str, dict[str, Any]] = {}
        # The earlier report.json this cache was seeded from (empty when none was used).
        self.seed_report: dict[str, Any] = {}
        self.out.mkdir(parents=True, exist_ok=True)
        self._check_settings()
        if self.path.is_file():
            self._read_lines()
        else:
            self._seed_from_report()

    def _check_settings(self) -> None:
        path = self.out / "settings.json"
        if path.is_file():
            stored = json.loads(path.read_text(encoding="utf-8"))
            differs = {
                k: (stored.get(k), v) for k, v in self.settings.items() if stored.get(k) != v
            }
            if differs:
                details = "; ".join(
                    f"{k}: stored {a!r}, now {b!r}" for k, (a, b) in differs.items()
                )
                raise ConfigError(
                    f"{self.out} holds an evaluation with other settings ({details}); "
                    "give another --out or delete the folder to start over"
                )
        else:
            path.write_text(json.dumps(self.settings, indent=2), encoding="utf-8")

    def _read_lines(self) -> None:
        for number, line in enumerate(self.path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                # The last line of a killed run may be half written; anything else is damage.
                if number == len(self.path.read_text(encoding="utf-8").splitlines()):
                    continue
                raise ConfigError(
                    f"{self.path} line {number} is not JSON; delete the file"
                ) from None
            self.records[record["id"]] = record

    def _seed_from_report(self) -> None:
        report_path = self.out / "report.json"
        if not report_path.is_file():
            return
        report = json.loads(report_path.read_text(encoding="utf-8"))
        meta = report.get("meta", {})
        old = {key: meta.get(key, default) for key, default in SETTINGS_DEFAULTS.items()}
        if old != self.settings:
            return
        self.seed_report = report
        for record in report.get("items", []):
            self.add(record)

    def get(self, item: dict[str, Any]) -> dict[str, Any] | None:
        """The stored record for ``item`` (a ``GridItem.to_dict()``), or None."""
        record = self.records.get(item["id"])
        return record if record is not None and _same_request(record, item) else None

    def add(self, record: dict[str, Any]) -> None:
        """Store ``record`` (with its id) and append it to ``items.jsonl`` at once."""
        self.records[record["id"]] = record
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(record, default=str) + "\n")
