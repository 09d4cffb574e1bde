"""Sentence splitting that returns character spans, so sentences map back to the input.

A sentence ends at ``.``, ``!``, ``?`` or ``…`` (runs such as ``?!`` and ``...`` count as one
end), together with any closing quotes or brackets right after it, when whitespace or the end
of the text follows. A blank line also ends a sentence (headings and list items often have no
final punctuation). It does not end:

- after an abbreviation that precedes a name or a number ("Dr. Smith", "No. 5", "e.g. this"),
- after a single-letter initial ("J. R. R. Tolkien"),
- when the next word starts with a lower-case letter ("he said... and left", "etc. and so").

A period inside a token ("3.5", "U.S.A", "example.com") is never followed by whitespace and so
never ends a sentence.
"""

from __future__ import annotations

import re

from emotts.text.normalize import NON_FINAL_ABBREVIATIONS

_TERMINATOR = re.compile(r"[.!?…]+[\"'”’»)\]]*(?=\s|$)")
_BLANK_LINE = re.compile(r"\n[^\S\n]*\n")
_WORD_BEFORE = re.compile(r"([\w.]+)$")
_NEXT_CHAR = re.compile(r"\s*(\S?)")
# Longest word before a period that is looked at (abbreviations and initials are short).
_LOOK_BACK = 64


def _is_sentence_end(text: str, match: re.Match[str]) -> bool:
    # Only the next character and the word before matter; looking at bounded windows keeps
    # splitting linear in the text's length (an hour of text is read before its first audio).
    following = _NEXT_CHAR.match(text, match.end()).group(1)
    if following[:1].islower():
        return False
    if match.group()[0] != "." or match.group().startswith(".."):
        return True
    before = _WORD_BEFORE.search(text, max(0, match.start() - _LOOK_BACK), match.start())
    if before is None:
        return True
    word = before.group(1)
    if word in NON_FINAL_ABBREVIATIONS:
        return False
    # A lone capital letter before the period is an initial ("J. Smith"); when it is really
    # the last word of a sentence ("... plan B."), merging two sentences is the safer error.
    return not (len(word) == 1 and word.isupper() and following[:1].isupper())


def _boundaries(text: str) -> list[int]:
    ends = [m.end() for m in _TERMINATOR.finditer(text) if _is_sentence_end(text, m)]
    ends += [m.start() for m in _BLANK_LINE.finditer(text)]
    return sorted(set(ends))


def split_sentences(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` spans of the sentences of ``text``, trimmed of surrounding whitespace.

    ``text[start:end]`` is a sentence; spans are in order, do not overlap and are never empty.
    Text that is empty or only whitespace has no sentences.
    """
    spans = []
    start = 0
    for end in [*_boundaries(text), len(text)]:
        chunk = text[start:end]
        stripped = chunk.strip()
        if stripped:
            first = start + (len(chunk) - len(chunk.lstrip()))
            spans.append((first, first + len(stripped)))
        start = end
    return spans
