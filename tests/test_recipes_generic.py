"""Generic recipe: a CSV (run with two worker processes) and a JSONL metadata file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_recipes_common import (
    by_id,
    check_outputs,
    prepare,
    write_corrupt,
    write_empty,
    write_tone,
)

CSV = """\
path,text,speaker,label,arousal,dominance,valence,split
clips/a.wav,Hello there.,alice,Happiness,,,,
clips/b.wav,  Good   night. ,bob,,-0.5,-0.2,0.1,test
clips/c.wav,Plain.,,,,,,
clips/d.wav,Mixed.,alice,anger,0.6,0.3,-0.5,train
clips/e.wav,Bored.,alice,bored,,,,
clips/f.wav,Partial.,alice,,0.2,,,
clips/g.wav,Out of range.,alice,,2,0,0,
clips/h.wav,,alice,,,,,
clips/missing.wav,Missing.,alice,,,,,
clips/corrupt.wav,Corrupt.,alice,,,,,
clips/empty.wav,Empty.,alice,,,,,
clips/short.wav,Short.,alice,,,,,
clips/long.wav,Long.,alice,,,,,
clips/i.wav,Odd split.,alice,,,,,holdout
"""


def _build(root: Path) -> int:
    for name in "abcdefghi":
        write_tone(root / "clips" / f"{name}.wav", sample_rate=48000)
    write_corrupt(root / "clips" / "corrupt.wav")
    write_empty(root / "clips" / "empty.wav")
    write_tone(root / "clips" / "short.wav", tone=0.1)
    write_tone(root / "clips" / "long.wav", tone=2.0)
    (root / "metadata.csv").write_text(CSV, encoding="utf-8")
    return 14


def test_generic_csv_prepare_in_parallel(tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    found = _build(root)
    out = tmp_path / "out"
    assert prepare("generic", root, out, "--workers", "2", "--max-duration", "1.5") == 0
    entries, _ = check_outputs(
        out,
        "generic",
        found,
        {
            "clips/e.wav": "unknown_label",
            "clips/f.wav": "bad_row",
            "clips/g.wav": "bad_row",
            "clips/h.wav": "no_transcript",
            "clips/missing.wav": "missing_audio",
            "clips/corrupt.wav": "unreadable",
            "clips/empty.wav": "empty",
            "clips/short.wav": "too_short",
            "clips/long.wav": "too_long",
            "clips/i.wav": "bad_row",
        },
    )
    rows = by_id(entries)
    assert set(rows) == {"clips_a", "clips_b", "clips_c", "clips_d"}
    assert rows["clips_a"].emotion == "happy" and rows["clips_a"].adv is None
    assert rows["clips_b"].emotion is None and rows["clips_b"].adv == pytest.approx(
        (-0.5, -0.2, 0.1)
    )
    assert rows["clips_b"].text == "Good night." and rows["clips_b"].split == "test"
    assert rows["clips_c"].speaker == "speaker"
    assert rows["clips_d"].emotion == "angry"
    # No val in the corpus: one train utterance (given or defaulted) becomes val.
    assert sorted(rows[i].split for i in ("clips_a", "clips_c", "clips_d")) == [
        "train",
        "train",
        "val",
    ]


def test_generic_jsonl_file_as_root(tmp_path: Path) -> None:
    write_tone(tmp_path / "x.wav")
    write_tone(tmp_path / "y.wav", sample_rate=22050)
    lines = [
        json.dumps({"path": "x.wav", "text": "One.", "speaker": "s1", "label": "surprise"}),
        "{not json",
        json.dumps(
            {
                "id": "why",
                "path": "y.wav",
                "text": "Two.",
                "arousal": 0.1,
                "dominance": 0,
                "valence": 1,
            }
        ),
    ]
    metadata = tmp_path / "list.jsonl"
    metadata.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    assert prepare("generic", metadata, out) == 0
    entries, _ = check_outputs(out, "generic", 3, {"list.jsonl:2": "bad_row"})
    rows = by_id(entries)
    assert rows["x"].emotion == "surprised" and rows["why"].adv == (0.1, 0.0, 1.0)
