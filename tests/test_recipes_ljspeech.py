"""LJSpeech recipe on a small LJSpeech-1.1 tree; also checks that a rerun resumes."""

from __future__ import annotations

import json
from pathlib import Path

from test_recipes_common import (
    by_id,
    check_outputs,
    prepare,
    write_corrupt,
    write_empty,
    write_tone,
)

METADATA = """\
LJ001-0001|Printing, in the only sense with which we are at present concerned.|Printing, in the only sense with which we are at present concerned.
LJ001-0002|In 1835 the "Jewel" was sold.|In eighteen thirty-five the "Jewel" was sold.
LJ001-0003|Dr. Smith arrived.|Doctor Smith arrived.
LJ001-0004|Corrupt.|Corrupt.
LJ001-0005|Empty.|Empty.
LJ001-0006|Short.|Short.
LJ001-0007|No audio for this line.|No audio for this line.
LJ001-0009|Only the raw text.|
"""


def _build(root: Path) -> int:
    (root / "wavs").mkdir(parents=True)
    (root / "metadata.csv").write_text(METADATA, encoding="utf-8")
    for n in (1, 2, 3, 9):
        write_tone(root / "wavs" / f"LJ001-000{n}.wav", sample_rate=22050)
    write_corrupt(root / "wavs" / "LJ001-0004.wav")
    write_empty(root / "wavs" / "LJ001-0005.wav")
    write_tone(root / "wavs" / "LJ001-0006.wav", sample_rate=22050, tone=0.1)
    write_tone(root / "wavs" / "LJ001-0008.wav", sample_rate=22050)  # no metadata line
    return 9


def test_ljspeech_prepare_and_resume(tmp_path: Path) -> None:
    root = tmp_path / "LJSpeech-1.1"
    found = _build(root)
    out = tmp_path / "out"
    assert prepare("ljspeech", root, out) == 0
    skips = {
        "LJ001-0004": "unreadable",
        "LJ001-0005": "empty",
        "LJ001-0006": "too_short",
        "metadata.csv:7": "missing_audio",
        "LJ001-0008": "no_transcript",
    }
    entries, report = check_outputs(out, "ljspeech", found, skips)
    rows = by_id(entries)
    assert rows["LJ001-0002"].text == 'In eighteen thirty-five the "Jewel" was sold.'
    assert rows["LJ001-0009"].text == "Only the raw text."
    assert {e.emotion for e in entries} == {"neutral"}
    assert {e.speaker for e in entries} == {"ljspeech"}
    assert sorted(e.split for e in entries).count("val") == 1
    assert report["reused"] == 0

    # A rerun with the same settings reuses every finished wav and writes the same manifest.
    manifest = (out / "manifest.jsonl").read_text(encoding="utf-8")
    stamps = {e.id: e.audio_path(out).stat().st_mtime_ns for e in entries}
    assert prepare("ljspeech", root, out) == 0
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["reused"] == len(entries)
    assert (out / "manifest.jsonl").read_text(encoding="utf-8") == manifest
    assert {e.id: e.audio_path(out).stat().st_mtime_ns for e in entries} == stamps

    # An interrupted run leaves some wavs missing: only those are made again.
    entries[0].audio_path(out).unlink()
    assert prepare("ljspeech", root, out) == 0
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["reused"] == len(entries) - 1

    # Different audio settings (or --overwrite) redo the wavs.
    assert prepare("ljspeech", root, out, "--max-duration", "19") == 0
    assert json.loads((out / "report.json").read_text(encoding="utf-8"))["reused"] == 0
    assert prepare("ljspeech", root, root / "prepared") == 2  # outputs inside the corpus
