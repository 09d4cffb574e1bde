"""SSML ``<say-as>`` read as intended, judged by Whisper tiny.en.

Each case is a carrier sentence with one ``<say-as>`` element and the words a listener should
hear for it. The voice speaks the SSML, Whisper transcribes it with numerals suppressed
(:meth:`WhisperJudge.transcribe_in_words`), so "0451" read digit by digit comes back as
"zero four five one" and read as a number as "four hundred fifty one": a plain transcript
would write "0451" or "451" and hide the reading. A case passes when the normalized
transcript contains the intended reading as a run of words. Whisper's spellings of the same
sound are folded on both sides ("for"/"four", "to"/"two", "oh"/"zero") and "and" is
dropped ("two hundred and thirty"), nothing else: a misheard word is a failure.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from emotts.eval.intelligibility import WhisperJudge
from emotts.eval.textnorm import normalize_for_wer

# Words Whisper writes for the same sound as a digit's name; folded on both sides.
_SAME_SOUND = {
    "for": "four", "to": "two", "too": "two", "won": "one", "ate": "eight", "oh": "zero", "o": "zero",
}  # fmt: skip
# Whisper writes spelled-out letters as a capital run ("XYZ"); those are letters, not a word
# (AM and PM stay words, as normalization writes "p.m." as "pm").
_SPELLED = re.compile(r"\b(?!AM\b|PM\b)[A-Z]{2,6}\b")
# Dropped on both sides: "two hundred and thirty" and "two hundred thirty" are one reading.
_OPTIONAL = frozenset({"and"})


@dataclass(frozen=True)
class SayAsCase:
    """``ssml``: the sentence inside ``<speak>``; ``reading``: the words it must be heard as."""

    name: str
    kind: str
    ssml: str
    reading: str


def _case(name: str, kind: str, before: str, content: str, after: str, reading: str, fmt=None):
    attrs = f'interpret-as="{kind}"' + (f' format="{fmt}"' if fmt else "")
    return SayAsCase(name, kind, f"{before} <say-as {attrs}>{content}</say-as>{after}", reading)


SAY_AS_CASES: tuple[SayAsCase, ...] = (
    _case("characters_ab", "characters", "The code is", "AB", " today.", "a b"),
    _case("characters_xyz", "characters", "Spell it", "XYZ", " please.", "x y z"),
    _case("cardinal_1234", "cardinal", "We sold", "1,234", " tickets.",
          "one thousand two hundred and thirty four"),
    _case("cardinal_minus7", "cardinal", "It was", "-7", " degrees.", "minus seven"),
    _case("ordinal_21", "ordinal", "She came", "21", " in the race.", "twenty first"),
    _case("ordinal_3", "ordinal", "This is the", "3", " time.", "third"),
    _case("digits_0451", "digits", "Your pin is", "0451", " now.", "zero four five one"),
    _case("digits_2048", "digits", "Room", "2048", " is open.", "two zero four eight"),
    _case("date_mdy", "date", "It ships on", "12/25/2024", ".",
          "december twenty fifth twenty twenty four", "mdy"),
    _case("date_dmy", "date", "It ships on", "04.07.2021", ".",
          "july fourth twenty twenty one", "dmy"),
    _case("date_ymd", "date", "It ships on", "2024-03-05", ".",
          "march fifth twenty twenty four", "ymd"),
    _case("date_md", "date", "It ships on", "Mar 5", ".", "march fifth", "md"),
    _case("date_my", "date", "It began in", "10/2019", ".", "october twenty nineteen", "my"),
    _case("date_y", "date", "It was built in", "1999", ".", "nineteen ninety nine", "y"),
    _case("time_330pm", "time", "Meet me at", "3:30pm", " today.", "three thirty pm"),
    _case("time_1405", "time", "The train leaves at", "14:05", ".", "fourteen oh five"),
    _case("telephone_local", "telephone", "Call", "555-0123", " now.",
          "five five five zero one two three"),
    _case("telephone_intl", "telephone", "Call", "+1 (555) 010-0123", " now.",
          "plus one five five five zero one zero zero one two three"),
)  # fmt: skip

#: A few cases for the default test suite and ``emotts eval --quick``.
QUICK_CASES: tuple[SayAsCase, ...] = tuple(
    case
    for case in SAY_AS_CASES
    if case.name in {"digits_0451", "ordinal_3", "date_dmy", "telephone_local"}
)


def spoken_words(text: str) -> list[str]:
    """``text`` normalized for comparison, with same-sounding spellings folded."""
    words = normalize_for_wer(_SPELLED.sub(lambda m: " ".join(m.group(0)), text)).split()
    return [_SAME_SOUND.get(word, word) for word in words if word not in _OPTIONAL]


def reads_as(transcript: str, reading: str) -> bool:
    """True when the transcript contains the reading's words, in order and adjacent."""
    heard, wanted = spoken_words(transcript), spoken_words(reading)
    return any(heard[i : i + len(wanted)] == wanted for i in range(len(heard) - len(wanted) + 1))


def judge_say_as(
    voice: Any,
    whisper: WhisperJudge,
    cases: Sequence[SayAsCase] = SAY_AS_CASES,
    audio_dir: Path | None = None,
) -> list[dict[str, Any]]:
    """Speak each case with ``voice.synthesize`` (SSML) and judge its reading; one record each.

    Audio is saved as ``audio_dir/say_as_<name>.wav`` when a folder is given.
    """
    records = []
    for case in cases:
        audio = voice.synthesize(f"<speak>{case.ssml}</speak>")
        if audio_dir is not None:
            audio_dir.mkdir(parents=True, exist_ok=True)
            audio.save(audio_dir / f"say_as_{case.name}.wav")
        samples = np.asarray(audio.samples)
        transcripts = [whisper.transcribe_in_words(samples, audio.sample_rate)]
        if not reads_as(transcripts[0], case.reading):
            # Without numerals Whisper sometimes stops where it wanted to write one ("It
            # began in October,"); its ordinary transcript, numbers spelled out, is the
            # second chance. It never credits a wrong reading that the first one refused:
            # "0451" heard as a number is written "451" there too.
            transcripts.append(whisper.transcribe(samples, audio.sample_rate))
        records.append(
            {
                "name": case.name,
                "kind": case.kind,
                "ssml": case.ssml,
                "reading": case.reading,
                "transcript": transcripts[-1],
                "transcripts": transcripts,
                "passed": reads_as(transcripts[-1], case.reading),
            }
        )
    return records


def say_as_summary(records: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Share of cases read as intended, overall and per ``interpret-as`` kind."""
    if not records:
        return {}
    by_kind: dict[str, list[bool]] = defaultdict(list)
    for record in records:
        by_kind[record["kind"]].append(record["passed"])
    passed = sum(r["passed"] for r in records)
    return {
        "pass_rate": passed / len(records),
        "passed": passed,
        "n": len(records),
        "by_kind": {kind: sum(v) / len(v) for kind, v in sorted(by_kind.items())},
        "failed": ", ".join(r["name"] for r in records if not r["passed"]) or "none",
    }
