"""EmoV-DB recipe on the sorted layout plus one per-archive (OpenSLR) folder."""

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

from emotts.data.recipes.emovdb import parse_prompts

PROMPTS = """\
( arctic_a0001 "Author of the danger trail, Philip Steels, etc." )
( arctic_a0002 "Not at this particular case, Tom, apologized Whittemore." )
( arctic_a0003 "For the twentieth time that evening the two men shook hands." )
( arctic_a0004 "Lord, but I'm glad to see you again, Phil." )
( arctic_a0005 "Will we ever forget it." )
( arctic_b0001 "Not the a-set sentence one." )
"""


def _build(root: Path) -> int:
    write_tone(root / "bea" / "Amused" / "amused_1-15_0001.wav", sample_rate=44100)
    write_tone(root / "bea" / "Angry" / "anger_1-28_0002.wav", sample_rate=44100)
    write_tone(root / "jenie" / "Sleepy" / "sleepiness_1-28_0003.wav")  # no canonical label
    write_tone(root / "josh" / "Neutral" / "neutral_1-28_0004.wav", channels=2)
    write_tone(root / "sam_Disgusted" / "disgust_1-28_0005.wav")  # OpenSLR archive folder
    write_tone(root / "josh" / "Amused" / "amused_225_252_0005.wav")  # "_" in the range
    write_tone(root / "sam" / "Neutral" / "neutral_1-28_0999.wav")  # no such prompt
    write_corrupt(root / "sam" / "Angry" / "anger_1-28_0001.wav")
    write_empty(root / "jenie" / "Angry" / "anger_1-28_0002.wav")
    write_empty(root / "josh" / "Neutral" / "neutral_1-28_0002.wav", header=True)
    write_tone(root / "jenie" / "Neutral" / "neutral_1-28_0003.wav", tone=0.1)
    write_tone(root / "stray" / "neutral_0001.wav")  # no speaker folder
    return 12


def test_emovdb_prepare(tmp_path: Path) -> None:
    root = tmp_path / "EmoV-DB_sorted"
    found = _build(root)
    prompts = tmp_path / "cmuarctic.data"
    prompts.write_text(PROMPTS, encoding="utf-8")
    out = tmp_path / "out"
    assert prepare("emovdb", root, out, "--prompts", str(prompts)) == 0
    entries, _ = check_outputs(
        out,
        "emovdb",
        found,
        {
            "sleepiness_1-28_0003": "unknown_label",
            "neutral_1-28_0999": "no_transcript",
            "sam/Angry/anger_1-28_0001": "unreadable",
            "jenie/Angry/anger_1-28_0002": "empty",
            "josh/Neutral/neutral_1-28_0002": "empty",
            "jenie/Neutral/neutral_1-28_0003": "too_short",
            "stray/neutral_0001": "unknown_speaker",
        },
    )
    rows = by_id(entries)
    assert rows["bea_amused_1-15_0001"].emotion == "happy"  # the labels module's choice
    assert rows["bea_amused_1-15_0001"].text == "Author of the danger trail, Philip Steels, etc."
    assert rows["bea_anger_1-28_0002"].emotion == "angry"
    assert rows["josh_neutral_1-28_0004"].speaker == "emovdb_josh"
    assert rows["sam_disgust_1-28_0005"].emotion == "disgusted"
    assert rows["josh_amused_225_252_0005"].text == "Will we ever forget it."
    assert [e.split for e in entries].count("val") >= 1  # the corpus has no splits


def test_emovdb_without_prompts_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    root = tmp_path / "EmoV-DB_sorted"
    write_tone(root / "bea" / "Amused" / "amused_1-15_0001.wav")
    assert prepare("emovdb", root, tmp_path / "out") == 2
    assert "cmuarctic.data" in capsys.readouterr().err


def test_parse_prompts_keeps_the_a_set() -> None:
    prompts = parse_prompts(PROMPTS)
    assert len(prompts) == 5 and prompts["0004"] == "Lord, but I'm glad to see you again, Phil."
