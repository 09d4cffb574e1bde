"""MSP-Podcast recipe on a small release folder (Labels/, Audios/, Transcripts/)."""

from __future__ import annotations

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

from emotts.data.recipes.common import ScanOptions
from emotts.data.recipes.msp_podcast import scan

HEADER = "FileName,EmoClass,EmoAct,EmoVal,EmoDom,SpkrID,Gender,Split_Set"
# name, class, act, val, dom, speaker, split, what the fixture does with it
ROWS = [
    ("0001_0008", "N", "4.0", "4.0", "4.0", "30", "Train", "tone"),
    ("0001_0009", "H", "7.0", "1.0", "5.5", "30", "Development", "tone"),
    ("0001_0011", "A", "6.0", "2.0", "5.0", "39", "Test1", "tone"),
    ("0001_0013", "O", "3.0", "4.5", "3.0", "Unknown", "Train", "tone"),
    ("0001_0016", "X", "2.2", "4.0", "2.6", "39", "Test2", "tone"),
    ("0002_0001", "C", "5.0", "2.0", "6.0", "41", "Test3", "tone"),
    ("0002_0002", "Q", "4.0", "4.0", "4.0", "41", "Train", "tone"),
    ("0002_0003", "S", "2.0", "2.0", "3.0", "41", "Train", "no transcript"),
    ("0002_0004", "S", "2.0", "2.0", "3.0", "41", "Train", "no audio"),
    ("0002_0005", "F", "5.0", "2.0", "3.0", "41", "Train", "corrupt"),
    ("0002_0006", "D", "5.0", "2.0", "3.0", "41", "Train", "empty"),
    ("0002_0007", "U", "5.0", "5.0", "5.0", "41", "Train", "short"),
]


def _build(root: Path) -> int:
    lines = [HEADER]
    for name, code, act, val, dom, speaker, split, kind in ROWS:
        file_name = f"MSP-PODCAST_{name}.wav"
        gender = "Female" if speaker == "41" else "Male"
        lines.append(f"{file_name},{code},{act},{val},{dom},{speaker},{gender},{split}")
        audio = root / "Audios" / file_name
        if kind in ("tone", "no transcript"):
            write_tone(audio)
        elif kind == "corrupt":
            write_corrupt(audio)
        elif kind == "empty":
            write_empty(audio)
        elif kind == "short":
            write_tone(audio, tone=0.1)
        if kind != "no transcript":
            transcript = root / "Transcripts" / f"MSP-PODCAST_{name}.txt"
            transcript.parent.mkdir(parents=True, exist_ok=True)
            transcript.write_text(f"words of {name}\n", encoding="utf-8")
    write_tone(root / "Audios" / "MSP-PODCAST_0003_0001.wav")  # audio without a labels row
    (root / "Labels").mkdir(parents=True)
    (root / "Labels" / "labels_consensus.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(ROWS) + 1


def test_msp_podcast_prepare(tmp_path: Path) -> None:
    root = tmp_path / "MSP-PODCAST-Publish-1.11"
    found = _build(root)
    out = tmp_path / "out"
    assert prepare("msp_podcast", root, out) == 0
    entries, _ = check_outputs(
        out,
        "msp_podcast",
        found,
        {
            "0002_0002": "unknown_label",
            "0002_0003": "no_transcript",
            "labels_consensus.csv:10": "missing_audio",
            "0002_0005": "unreadable",
            "0002_0006": "empty",
            "0002_0007": "too_short",
            "0003_0001": "not_listed",
        },
    )
    rows = by_id(entries)
    neutral, happy = rows["MSP-PODCAST_0001_0008"], rows["MSP-PODCAST_0001_0009"]
    assert (neutral.emotion, neutral.adv, neutral.split) == ("neutral", (0.0, 0.0, 0.0), "train")
    # (arousal, dominance, valence) from EmoAct, EmoDom, EmoVal as (x - 4) / 3.
    assert happy.emotion == "happy" and happy.split == "val"
    assert happy.adv == pytest.approx((1.0, 0.5, -1.0))
    assert rows["MSP-PODCAST_0001_0011"].split == "test"
    # Other (O), no agreement (X) and contempt (C) carry no label but keep their ADV.
    for name in ("0001_0013", "0001_0016", "0002_0001"):
        assert rows[f"MSP-PODCAST_{name}"].emotion is None
        assert rows[f"MSP-PODCAST_{name}"].adv is not None
    assert rows["MSP-PODCAST_0001_0013"].speaker == "msp_unknown"
    assert rows["MSP-PODCAST_0002_0001"].split == "test"
    assert rows["MSP-PODCAST_0001_0011"].text == "words of 0001_0011"
    assert rows["MSP-PODCAST_0001_0011"].extra["gender"] == "Male"


def test_msp_podcast_old_release_layout(tmp_path: Path) -> None:
    """Releases up to 1.8 misspell the label file; unzipping can nest Audios/Audios."""
    root = tmp_path / "msp"
    write_tone(root / "Audios" / "Audios" / "MSP-PODCAST_0001_0008.wav")
    (root / "Transcripts").mkdir(parents=True)
    (root / "Transcripts" / "MSP-PODCAST_0001_0008.txt").write_text("hello", encoding="utf-8")
    (root / "Labels").mkdir()
    (root / "Labels" / "labels_concensus.csv").write_text(
        f"{HEADER}\nMSP-PODCAST_0001_0008.wav,N,2.2,4.0,2.6,30,Male,Test1\n", encoding="utf-8"
    )
    result = scan(root, ScanOptions())
    assert [item.id for item in result.items] == ["MSP-PODCAST_0001_0008"] and not result.skipped
