"""MSP-Podcast (Lotfian & Busso; UT Dallas MSP lab), consensus labels.

Layout of a release folder (``MSP-PODCAST-Publish-1.x/``)::

    Labels/labels_consensus.csv   FileName,EmoClass,EmoAct,EmoVal,EmoDom,SpkrID,Gender,Split_Set
                                  e.g. MSP-PODCAST_0001_0008.wav,N,2.2,4.0,2.6,30,Male,Test1
    Audios/MSP-PODCAST_0001_0008.wav
    Transcripts/MSP-PODCAST_0001_0008.txt

Quirks handled: releases up to 1.8 spell the file ``labels_concensus.csv``; unpacking the
zips often nests ``Audios/Audios/`` and ``Labels/Labels/``; ``SpkrID`` is ``Unknown`` for
many segments. EmoClass codes (A, S, H, U, F, D, C, N, O, X) map through
:data:`emotts.emotion.labels.MSP_PODCAST_CODES`, where contempt, other and no-agreement are
no label (emotion null) but keep their ADV. Act/Dom/Val on the 1-7 scale map to [-1, 1] as
(x - 4) / 3. Split_Set Train/Development/Test1/Test2/Test3 -> train/val/test/test/test.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

from emotts.data.recipes.common import (
    BAD_ROW,
    MISSING_AUDIO,
    NO_TRANSCRIPT,
    NOT_LISTED,
    UNKNOWN_LABEL,
    ScanOptions,
    ScanResult,
    SourceItem,
    clean_text,
    first_existing,
    read_text,
)
from emotts.emotion.labels import MSP_PODCAST_CODES
from emotts.errors import ConfigError

NAME = "msp_podcast"
SUMMARY = "MSP-Podcast release folder holding Labels/, Audios/ and Transcripts/"

REQUIRED_COLUMNS = ("FileName", "EmoClass", "EmoAct", "EmoVal", "EmoDom", "SpkrID", "Split_Set")
SPLITS = {"train": "train", "development": "val", "test1": "test", "test2": "test", "test3": "test"}
_LABEL_FILES = ("labels_consensus.csv", "labels_concensus.csv")


def _locate(root: Path) -> tuple[Path, Path, Path | None]:
    """The consensus label file, the audio folder and the transcript folder (if any)."""
    labels = first_existing(
        [
            root / folder / name
            for folder in ("Labels", "Labels/Labels", ".")
            for name in _LABEL_FILES
        ]
    )
    if labels is None:
        raise ConfigError(
            f"no Labels/labels_consensus.csv under {str(root)!r}; expected an MSP-Podcast "
            "release folder with Labels/, Audios/ and Transcripts/"
        )
    audios = first_existing([root / "Audios" / "Audios", root / "Audios", root / "Audio"])
    if audios is None or not audios.is_dir():
        raise ConfigError(f"no Audios/ folder under {str(root)!r}; expected Audios/<FileName>")
    transcripts = first_existing([root / "Transcripts" / "Transcripts", root / "Transcripts"])
    return labels, audios, transcripts


def scale_adv(act: str, dom: str, val: str) -> tuple[float, float, float] | None:
    """(arousal, dominance, valence) in [-1, 1] from 1-7 ratings; None when any is blank.

    Raises:
        ValueError: a rating is not a number.
    """
    raw = (act.strip(), dom.strip(), val.strip())
    if not all(raw):
        return None
    a, d, v = (min(1.0, max(-1.0, (float(x) - 4.0) / 3.0)) for x in raw)
    return (a, d, v)


def _transcript(folder: Path | None, stem: str) -> str:
    if folder is None:
        return ""
    path = folder / f"{stem}.txt"
    return clean_text(read_text(path)) if path.is_file() else ""


def scan(root: Path, options: ScanOptions) -> ScanResult:
    labels_path, audio_dir, transcript_dir = _locate(root)
    reader = csv.DictReader(read_text(labels_path).splitlines())
    missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise ConfigError(
            f"{str(labels_path)!r} lacks column(s) {', '.join(missing)}; expected a header with "
            f"{', '.join(REQUIRED_COLUMNS)}"
        )
    # One directory listing instead of a stat per row: releases hold 100k+ files.
    audio_names = {entry.name for entry in os.scandir(audio_dir) if entry.is_file()}
    result = ScanResult()
    listed: set[str] = set()
    for number, row in enumerate(reader, start=2):
        where = f"{labels_path.name}:{number}"
        name = (row.get("FileName") or "").strip()
        if not name:
            result.skip(where, BAD_ROW, "empty FileName")
            continue
        file_name = name if name.lower().endswith(".wav") else f"{name}.wav"
        listed.add(file_name)
        audio, stem = audio_dir / file_name, Path(file_name).stem
        if file_name not in audio_names:
            result.skip(where, MISSING_AUDIO, f"{audio_dir.name}/{file_name} does not exist")
            continue
        code = (row.get("EmoClass") or "").strip().upper()
        if code not in MSP_PODCAST_CODES:
            accepted = ", ".join(MSP_PODCAST_CODES)
            result.skip(audio, UNKNOWN_LABEL, f"EmoClass {code!r} ({where}); accepted: {accepted}")
            continue
        try:
            adv = scale_adv(
                row.get("EmoAct") or "", row.get("EmoDom") or "", row.get("EmoVal") or ""
            )
        except ValueError:
            result.skip(audio, BAD_ROW, f"{where}: EmoAct/EmoDom/EmoVal must be numbers 1-7")
            continue
        text = _transcript(transcript_dir, stem)
        if not text:
            result.skip(audio, NO_TRANSCRIPT, f"Transcripts/{stem}.txt is missing or empty")
            continue
        speaker = (row.get("SpkrID") or "").strip()
        if speaker.lower() in ("", "unknown"):
            speaker = "unknown"
        split_set = (row.get("Split_Set") or "").strip()
        result.items.append(
            SourceItem(
                id=stem,
                audio=audio,
                text=text,
                speaker=f"msp_{speaker}",
                label=MSP_PODCAST_CODES[code],
                adv=adv,
                split=SPLITS.get(split_set.lower()),
                extra={
                    "corpus_label": code,
                    "corpus_split": split_set,
                    "gender": (row.get("Gender") or "").strip() or None,
                },
            )
        )
    for file_name in sorted(audio_names - listed):
        if file_name.lower().endswith(".wav"):
            result.skip(audio_dir / file_name, NOT_LISTED, f"no row in {labels_path.name}")
    return result
