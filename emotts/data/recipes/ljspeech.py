"""LJSpeech 1.1 (Keith Ito & Linda Johnson, 2017): one speaker, read speech, neutral only.

Layout: ``LJSpeech-1.1/metadata.csv`` with ``id|text|normalized text`` lines (no header, no
quoting: the text itself contains double quotes) and ``LJSpeech-1.1/wavs/<id>.wav``. The
normalized text (numbers and abbreviations spelled out) is used; the corpus has no splits.
"""

from __future__ import annotations

from pathlib import Path

from emotts.data.recipes.common import (
    BAD_ROW,
    MISSING_AUDIO,
    NO_TRANSCRIPT,
    ScanOptions,
    ScanResult,
    SourceItem,
    audio_files,
    clean_text,
    read_text,
    require_dir,
)
from emotts.errors import ConfigError

NAME = "ljspeech"
SUMMARY = "LJSpeech folder holding metadata.csv and wavs/"


def scan(root: Path, options: ScanOptions) -> ScanResult:
    metadata = root / "metadata.csv"
    if not metadata.is_file():
        raise ConfigError(
            f"{str(metadata)!r} not found; expected the LJSpeech-1.1 folder with metadata.csv "
            "(id|text|normalized text) and wavs/"
        )
    wav_dir = require_dir(root / "wavs", "LJSpeech audio folder", "wavs/<id>.wav files")
    wavs = {wav.stem: wav for wav in audio_files(wav_dir)}
    result = ScanResult()
    listed: set[str] = set()
    for number, line in enumerate(read_text(metadata).splitlines(), start=1):
        if not line.strip():
            continue
        fields = line.split("|")
        where = f"metadata.csv:{number}"
        if len(fields) < 2 or not fields[0].strip():
            result.skip(where, BAD_ROW, "expected 'id|text|normalized text'")
            continue
        utterance_id = fields[0].strip()
        listed.add(utterance_id)
        text = clean_text(fields[2] if len(fields) > 2 and fields[2].strip() else fields[1])
        wav = wavs.get(utterance_id)
        if wav is None:
            result.skip(where, MISSING_AUDIO, f"wavs/{utterance_id}.wav does not exist")
        elif not text:
            result.skip(wav, NO_TRANSCRIPT, f"{where} has an empty text")
        else:
            result.items.append(
                SourceItem(
                    id=utterance_id, audio=wav, text=text, speaker="ljspeech", label="neutral"
                )
            )
    for stem, wav in sorted(wavs.items()):
        if stem not in listed:
            result.skip(wav, NO_TRANSCRIPT, "no line for it in metadata.csv")
    return result
