"""scripts/merge_eval_runs.py: parallel `emotts eval` folders merged into one a rerun resumes."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from emotts.eval.item_cache import ItemCache

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "merge_eval_runs.py"
SETTINGS = {"voice": "cast", "vocoder": None, "judge": "j", "raw_intensity": False}


@pytest.fixture(scope="module")
def merge():
    spec = importlib.util.spec_from_file_location("merge_eval_runs", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.merge


def _shard(folder: Path, speaker: str, items: int, settings: dict = SETTINGS) -> Path:
    """An eval folder as ItemCache writes it: settings, records, one wav per record."""
    cache = ItemCache(folder, settings)
    for index in range(items):
        audio = folder / "audio" / speaker / f"s{index:02d}.wav"
        audio.parent.mkdir(parents=True, exist_ok=True)
        audio.write_bytes(f"{speaker}-{index}".encode())
        cache.add({"id": f"{speaker}/s{index:02d}", "text": f"t{index}", "audio": str(audio)})
    return folder


def test_merged_folder_answers_every_item(tmp_path, merge):
    a = _shard(tmp_path / "a", "slt", 3)
    b = _shard(tmp_path / "b", "bdl", 2)
    with (b / "items.jsonl").open("a") as handle:
        handle.write('{"id": "bdl/half')  # a killed run's last line
    out = tmp_path / "merged"
    assert merge(out, [a, b]) == 5
    cache = ItemCache(out, SETTINGS)  # same settings: accepted, records read back
    assert sorted(cache.records) == [f"bdl/s0{i}" for i in range(2)] + [
        f"slt/s0{i}" for i in range(3)
    ]
    record = cache.get({"id": "bdl/s01", "text": "t1"})
    assert record is not None
    copied = Path(record["audio"])
    assert copied.is_relative_to(out) and copied.read_bytes() == b"bdl-1"
    assert cache.get({"id": "bdl/s01", "text": "another"}) is None


def test_refuses_other_settings_and_conflicts(tmp_path, merge):
    a = _shard(tmp_path / "a", "slt", 1)
    other = _shard(tmp_path / "o", "bdl", 1, {**SETTINGS, "judge": "other"})
    with pytest.raises(SystemExit, match="settings.json differs"):
        merge(tmp_path / "m1", [a, other])
    twin = _shard(tmp_path / "t", "slt", 1)
    record = json.loads((twin / "items.jsonl").read_text())
    record["text"] = "rendered from another text"
    (twin / "items.jsonl").write_text(json.dumps(record) + "\n")
    with pytest.raises(SystemExit, match="scored differently"):
        merge(tmp_path / "m2", [a, twin])
    merge(tmp_path / "m3", [a])
    with pytest.raises(SystemExit, match="already holds"):
        merge(tmp_path / "m3", [a])
