"""ESD recipe on a small tree in the released layout (with and without split folders)."""

from __future__ import annotations

from pathlib import Path

from test_recipes_common import (
    by_id,
    check_outputs,
    prepare,
    write_corrupt,
    write_empty,
    write_tone,
)

from emotts.data.recipes.esd import parse_transcript


def _build(root: Path) -> tuple[Path, int]:
    """An 'Emotion Speech Dataset' folder; returns it and the number of wavs in scope."""
    corpus = root / "Emotion Speech Dataset"
    # 0011: split folders, UTF-16 transcript with BOM (as some speakers ship it).
    s11 = corpus / "0011"
    lines = [
        "0011_000001\tThe quick brown fox.\tNeutral",
        "0011_000351\tWhat are you doing here!\tAngry",
        "0011_000751\tI am so pleased.\tHappy",
        "0011_001051\tIt is over now.\tSad",
        "0011_001100\tToo short a clip.\tSad",
        "0011_001401  Really, today?  Surprise",  # spaces instead of tabs
        "0011_001801\tSome other feeling.\tBored",
    ]
    s11.mkdir(parents=True)
    (s11 / "0011.txt").write_bytes("\r\n".join(lines).encode("utf-16"))
    write_tone(s11 / "Neutral" / "train" / "0011_000001.wav")
    write_tone(s11 / "Angry" / "evaluation" / "0011_000351.wav")
    write_corrupt(s11 / "Happy" / "train" / "0011_000751.wav")
    write_empty(s11 / "Sad" / "test" / "0011_001051.wav")
    write_tone(s11 / "Sad" / "train" / "0011_001100.wav", tone=0.1)
    write_tone(s11 / "Surprise" / "test" / "0011_001401.wav")
    write_tone(s11 / "Surprise" / "test" / "0011_001402.wav")  # no transcript line
    write_tone(s11 / "Bored" / "train" / "0011_001801.wav")  # not an ESD emotion
    # 0012: no split folders (a common re-distribution), UTF-8 transcript.
    s12 = corpus / "0012"
    s12.mkdir(parents=True)
    (s12 / "0012.txt").write_text(
        "0012_000001\tFirst line.\tNeutral\n0012_000021\tTwenty first.\tNeutral\n"
        "0012_000051\tFifty first.\tNeutral\n",
        encoding="utf-8",
    )
    for n in (1, 21, 51):
        write_tone(s12 / "Neutral" / f"0012_{n:06d}.wav", sample_rate=24000)
    # 0013: transcript file missing. 0001: Mandarin, out of scope.
    write_tone(corpus / "0013" / "Happy" / "train" / "0013_000701.wav")
    write_tone(corpus / "0001" / "Happy" / "train" / "0001_000701.wav")
    return corpus, 12


def test_esd_prepare(tmp_path: Path) -> None:
    corpus, found = _build(tmp_path / "ESD")
    out = tmp_path / "out"
    # --root may be the corpus folder's parent.
    assert prepare("esd", tmp_path / "ESD", out) == 0
    entries, report = check_outputs(
        out,
        "esd",
        found,
        {
            "0011_000751": "unreadable",
            "0011_001051": "empty",
            "0011_001100": "too_short",
            "0011_001402": "no_transcript",
            "0011_001801": "unknown_label",
            "0013_000701": "no_transcript",
        },
    )
    rows = by_id(entries)
    assert set(rows) == {
        "0011_000001",
        "0011_000351",
        "0011_001401",
        "0012_000001",
        "0012_000021",
        "0012_000051",
    }
    assert rows["0011_000351"].emotion == "angry" and rows["0011_000351"].split == "val"
    assert rows["0011_001401"].emotion == "surprised" and rows["0011_001401"].split == "test"
    assert rows["0011_001401"].text == "Really, today?"
    assert rows["0011_000001"].text == "The quick brown fox."
    # Without split folders the split follows the id's position in its 350-utterance block.
    assert [rows[f"0012_{n:06d}"].split for n in (1, 21, 51)] == ["val", "test", "train"]
    assert rows["0012_000001"].speaker == "esd_0012"
    assert [item["source"] for item in report["ignored"]] == ["Emotion Speech Dataset/0001"]


def test_parse_transcript_tolerates_layout_quirks() -> None:
    text = "\ufeff0015_000137\tLet the glass globe be.\n0016_000001\tA  b\tc\tSurprise\nnoise\n"
    assert parse_transcript(text) == {
        "0015_000137": "Let the glass globe be.",
        "0016_000001": "A b c",
    }
