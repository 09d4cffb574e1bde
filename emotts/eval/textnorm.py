"""Text normalization applied to both the reference and Whisper's transcript before WER/CER.

The rules (documented in docs/evaluation.md) are deliberately simple and symmetric, so that
the error rate measures what was *said* rather than how it was *written*:

1. Unicode quotes/dashes are folded to ASCII and everything is lower-cased.
2. ``%`` becomes " percent", ``&`` becomes " and ", ``$N`` becomes "N dollars".
3. Numbers are spelled out with num2words: ordinals (``3rd`` -> "third"), four-digit numbers
   from 1100 to 2099 as years ("nineteen ninety"), decimals ("three point five"), other
   integers as cardinals; a number written with thousands separators ("1,234") is always a
   cardinal, never a year.
4. Initialisms written with dots are joined ("p.m." -> "pm", "U.S.A." -> "usa"), as
   Whisper writes them either way.
5. Hyphens become spaces (so "twenty-one" and "twenty one" match), apostrophes inside words
   are kept ("don't"), all other punctuation is removed, whitespace is collapsed.
"""

from __future__ import annotations

import re

from num2words import num2words

_FOLD = str.maketrans(
    {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"}
)
_GROUPED = re.compile(r"\b\d{1,3}(?:,\d{3})+(?:\.\d+)?\b")
_DOLLARS = re.compile(r"\$\s*(\d[\d,]*(?:\.\d+)?)")
_ORDINAL = re.compile(r"\b(\d+)(st|nd|rd|th)\b")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_INITIALISM = re.compile(r"\b[a-z](?:\.[a-z])+\.?(?![a-z])")
_NOT_WORD = re.compile(r"[^a-z0-9' ]+")
_LOOSE_APOSTROPHE = re.compile(r"(?<![a-z])'|'(?![a-z])")


def _spell(match: re.Match[str]) -> str:
    token = match.group(0)
    if "." in token:
        return " " + num2words(float(token)) + " "
    value = int(token)
    if len(token) == 4 and 1100 <= value <= 2099:
        return " " + num2words(value, to="year") + " "
    return " " + num2words(value) + " "


def _spell_grouped(match: re.Match[str]) -> str:
    token = match.group(0).replace(",", "")
    return " " + num2words(float(token) if "." in token else int(token)) + " "


def normalize_for_wer(text: str) -> str:
    """Return ``text`` as lower-case words with numbers spelled out and punctuation removed."""
    text = text.translate(_FOLD).lower()
    text = text.replace("%", " percent ").replace("&", " and ")
    text = _DOLLARS.sub(lambda m: f"{m.group(1)} dollars", text)
    text = _GROUPED.sub(_spell_grouped, text)
    text = _ORDINAL.sub(lambda m: " " + num2words(int(m.group(1)), to="ordinal") + " ", text)
    text = _NUMBER.sub(_spell, text)
    text = _INITIALISM.sub(lambda m: m.group(0).replace(".", ""), text)
    text = text.replace("-", " ")
    text = _NOT_WORD.sub(" ", text)
    text = _LOOSE_APOSTROPHE.sub(" ", text)
    return " ".join(text.split())
