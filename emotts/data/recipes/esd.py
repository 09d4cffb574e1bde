"""ESD, the Emotional Speech Dataset (Zhou, Sisman, Liu & Li, ICASSP 2021), English half.

Layout of the released archive ("Emotion Speech Dataset/")::

    0011/0011.txt                      <id> TAB <text> TAB <emotion>, one line per utterance
    0011/Angry/train/0011_000351.wav   also Happy, Neutral, Sad, Surprise
    0011/Angry/evaluation/...          some re-distributions drop these split folders
    0011/Angry/test/...

Speakers 0001-0010 are Mandarin and are left out (reported as ignored). Quirks handled:
transcript encodings differ per speaker (UTF-8, UTF-16 with BOM, Latin-1) and a few lines
do not have exactly three tab-separated fields. Each emotion block of 350 utterances is split
20 evaluation / 30 test / 300 train in id order (e.g. 0012_001401 evaluation, 0012_001421
test, 0012_001451 train), which gives the split when the split folders are missing.
"""

from __future__ import annotations

import re
from pathlib import Path

from emotts.data.recipes.common import (
    NO_TRANSCRIPT,
    UNKNOWN_LABEL,
    ScanOptions,
    ScanResult,
    SourceItem,
    audio_files,
    clean_text,
    first_existing,
    read_text,
)
from emotts.errors import ConfigError

NAME = "esd"
SUMMARY = "ESD folder holding the English speaker folders 0011-0020 (each with 0011.txt etc.)"

ENGLISH_SPEAKERS = tuple(f"{number:04d}" for number in range(11, 21))
_SPLIT_FOLDERS = {"train": "train", "evaluation": "val", "test": "test"}
_EMOTION_WORDS = {"neutral", "angry", "happy", "sad", "surprise"}
_LINE = re.compile(r"^(\d{4}_\d{6})\s+(.*)$")
_ID = re.compile(r"^\d{4}_(\d{6})$")
_BLOCK, _EVALUATION, _TEST = 350, 20, 30


def _corpus_root(root: Path) -> Path:
    """``root`` itself, or its one sub-folder that holds the speaker folders."""
    if any((root / speaker).is_dir() for speaker in ENGLISH_SPEAKERS):
        return root
    for child in sorted(p for p in root.iterdir() if p.is_dir()):
        if any((child / speaker).is_dir() for speaker in ENGLISH_SPEAKERS):
            return child
    raise ConfigError(
        f"no ESD English speaker folder (0011-0020) in {str(root)!r}; expected the unpacked "
        "'Emotion Speech Dataset' folder or its parent"
    )


def parse_transcript(text: str) -> dict[str, str]:
    """Utterance id -> text, tolerating lines whose fields are not split by exactly two tabs."""
    lines: dict[str, str] = {}
    for line in text.splitlines():
        match = _LINE.match(line.replace("\ufeff", "").strip())
        if match is None:
            continue
        fields = [field.strip() for field in match.group(2).split("\t") if field.strip()]
        if len(fields) >= 2:
            # The last field is normally the emotion (one English or Mandarin word).
            sentence = " ".join(fields[:-1] if " " not in fields[-1] else fields)
        else:
            words = fields[0].rsplit(None, 1) if fields else [""]
            has_emotion = len(words) == 2 and words[1].lower() in _EMOTION_WORDS
            sentence = words[0] if has_emotion else (fields[0] if fields else "")
        lines[match.group(1)] = clean_text(sentence)
    return lines


def split_of(path: Path) -> str | None:
    """The split folder's split, else the split the utterance number falls in (None: unknown)."""
    folder = _SPLIT_FOLDERS.get(path.parent.name.lower())
    if folder is not None:
        return folder
    match = _ID.match(path.stem)
    if match is None:
        return None
    position = (int(match.group(1)) - 1) % _BLOCK
    if position < _EVALUATION:
        return "val"
    return "test" if position < _EVALUATION + _TEST else "train"


def _scan_speaker(folder: Path, result: ScanResult) -> None:
    speaker = folder.name
    # The archive names it after the speaker; some re-distributions call it transcription.txt.
    transcript_path = first_existing([folder / f"{speaker}.txt", folder / "transcription.txt"]) or (
        folder / f"{speaker}.txt"
    )
    transcripts = parse_transcript(read_text(transcript_path)) if transcript_path.is_file() else {}
    for emotion_dir in sorted(p for p in folder.iterdir() if p.is_dir()):
        for wav in audio_files(emotion_dir):
            text = transcripts.get(wav.stem, "")
            if not text:
                where = (
                    f"no line for {wav.stem} in {speaker}/{transcript_path.name}"
                    if transcript_path.is_file()
                    else f"transcript file {speaker}/{transcript_path.name} is missing"
                )
                result.skip(wav, NO_TRANSCRIPT, where)
                continue
            result.items.append(
                SourceItem(
                    id=wav.stem,
                    audio=wav,
                    text=text,
                    speaker=f"esd_{speaker}",
                    label=emotion_dir.name,
                    split=split_of(wav),
                    extra={"corpus_label": emotion_dir.name},
                )
            )
    for wav in sorted(p for p in folder.iterdir() if p.suffix.lower() == ".wav"):
        result.skip(wav, UNKNOWN_LABEL, "not inside an emotion folder (Angry, Happy, ...)")


def scan(root: Path, options: ScanOptions) -> ScanResult:
    corpus = _corpus_root(root)
    result = ScanResult()
    for folder in sorted(p for p in corpus.iterdir() if p.is_dir()):
        if folder.name in ENGLISH_SPEAKERS:
            _scan_speaker(folder, result)
        elif folder.name.isdigit():
            result.ignore(folder, "speakers 0001-0010 are Mandarin; this recipe is English")
        else:
            result.ignore(folder, "not an ESD speaker folder")
    return result
