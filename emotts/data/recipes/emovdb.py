"""EmoV-DB, the Emotional Voices Database (Adigwe, Tits, El Haddad, Ostadabbas & Dutoit, 2018).

Two layouts exist and both are read:

* the sorted release (recommended by the authors): ``EmoV-DB_sorted/<speaker>/<Emotion>/``
  with speakers bea, jenie, josh, sam and folders Amused, Angry, Disgusted, Neutral, Sleepy;
* the per-archive release (OpenSLR 115: ``bea_Amused.tar.gz`` ...), unpacked into folders
  named after the archive (``bea_Amused/``).

File names are ``<style>_<range>_<nnnn>.wav`` (``amused_1-15_0001.wav``,
``anger_393-420_0397.wav``, some with ``_`` inside the range); the style word is spelt
amused/anger/disgust/neutral/sleepiness, differently from the folders. The trailing four
digits are the CMU ARCTIC prompt ``arctic_a<nnnn>``: EmoV-DB ships no transcripts, so the
user supplies ``cmuarctic.data`` (lines ``( arctic_a0001 "Author of the danger trail, ..." )``).
"""

from __future__ import annotations

import re
from pathlib import Path

from emotts.data.recipes.common import (
    NO_TRANSCRIPT,
    UNKNOWN_SPEAKER,
    ScanOptions,
    ScanResult,
    SourceItem,
    audio_files,
    clean_text,
    read_text,
)
from emotts.errors import ConfigError

NAME = "emovdb"
SUMMARY = "EmoV-DB folder (sorted <speaker>/<Emotion>/ or <speaker>_<Emotion>/ folders)"
PROMPTS_NAME = "cmuarctic.data"
PROMPTS_URL = "http://www.festvox.org/cmu_arctic/cmuarctic.data"

SPEAKERS = ("bea", "jenie", "josh", "sam")
# Folder names and file-name style words -> one spelling per emotion (the folder's).
_EMOTIONS = {
    "amused": "amused",
    "angry": "angry",
    "anger": "angry",
    "disgusted": "disgusted",
    "disgust": "disgusted",
    "neutral": "neutral",
    "sleepy": "sleepy",
    "sleepiness": "sleepy",
}
_PROMPT = re.compile(r'^\(\s*arctic_a(\d{4})\s+"(.*)"\s*\)\s*$')
_SENTENCE = re.compile(r"(\d{4})$")


def parse_prompts(text: str) -> dict[str, str]:
    """CMU ARCTIC prompt number (``"0001"``) -> text, for the ``arctic_a`` set EmoV-DB uses."""
    prompts: dict[str, str] = {}
    for line in text.splitlines():
        match = _PROMPT.match(line.strip())
        if match is not None:
            prompts[match.group(1)] = clean_text(match.group(2))
    return prompts


def _load_prompts(root: Path, options: ScanOptions) -> dict[str, str]:
    path = options.prompts or root / PROMPTS_NAME
    if not path.is_file():
        raise ConfigError(
            f"CMU ARCTIC prompt file {str(path)!r} not found; EmoV-DB has no transcripts of its "
            f"own, so download {PROMPTS_URL} and pass it with --prompts FILE (or put it at "
            f"ROOT/{PROMPTS_NAME})"
        )
    prompts = parse_prompts(read_text(path))
    if not prompts:
        raise ConfigError(
            f"{str(path)!r} holds no line like '( arctic_a0001 \"text\" )'; expected the CMU "
            f"ARCTIC prompt file from {PROMPTS_URL}"
        )
    return prompts


def _speaker_and_emotion(relative: Path) -> tuple[str | None, str | None]:
    """Speaker and emotion named by the folders of ``relative`` (None where they name none)."""
    speaker = emotion = None
    for part in (p.lower() for p in relative.parts[:-1]):
        head, _, tail = part.partition("_")
        if part in SPEAKERS or head in SPEAKERS:
            speaker = part if part in SPEAKERS else head
            emotion = _EMOTIONS.get(tail, emotion)
        elif part in _EMOTIONS:
            emotion = _EMOTIONS[part]
    return speaker, emotion


def scan(root: Path, options: ScanOptions) -> ScanResult:
    prompts = _load_prompts(root, options)
    result = ScanResult()
    for wav in audio_files(root):
        relative = wav.relative_to(root)
        speaker, emotion = _speaker_and_emotion(relative)
        if speaker is None:
            detail = f"no folder names a speaker ({', '.join(SPEAKERS)})"
            result.skip(wav, UNKNOWN_SPEAKER, detail)
            continue
        style = wav.stem.split("_", 1)[0]
        # Unknown styles pass through unchanged so the label check reports them by name.
        label = emotion or _EMOTIONS.get(style.lower(), style)
        number = _SENTENCE.search(wav.stem)
        text = prompts.get(number.group(1), "") if number else ""
        if not text:
            detail = (
                f"no prompt arctic_a{number.group(1)} in {PROMPTS_NAME}"
                if number
                else "file name does not end in a 4-digit ARCTIC prompt number"
            )
            result.skip(wav, NO_TRANSCRIPT, detail)
            continue
        result.items.append(
            SourceItem(
                id=f"{speaker}_{wav.stem}",
                audio=wav,
                text=text,
                speaker=f"emovdb_{speaker}",
                label=label,
                extra={"corpus_label": label, "prompt": f"arctic_a{number.group(1)}"},
            )
        )
    return result
