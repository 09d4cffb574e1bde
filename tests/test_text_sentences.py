"""Sentence splitting: spans into the input and the usual traps."""

from __future__ import annotations

import pytest

from emotts.text.sentences import split_sentences


def sentences(text: str) -> list[str]:
    return [text[start:end] for start, end in split_sentences(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hello there. How are you?", ["Hello there.", "How are you?"]),
        ("Dr. Smith paid $3.50 today. He left.", ["Dr. Smith paid $3.50 today.", "He left."]),
        ("Mr. and Mrs. Jones, e.g. them. Yes.", ["Mr. and Mrs. Jones, e.g. them.", "Yes."]),
        ("Wait... What? Really?! Yes!!", ["Wait...", "What?", "Really?!", "Yes!!"]),
        ("He paused... and left.", ["He paused... and left."]),
        ("She nodded… Then left.", ["She nodded…", "Then left."]),
        ('"Really?" she asked. "Yes."', ['"Really?" she asked.', '"Yes."']),
        ("He said (quietly.) Then went.", ["He said (quietly.)", "Then went."]),
        ("J. R. R. Tolkien wrote it.", ["J. R. R. Tolkien wrote it."]),
        ("Version 3.5 is out. Get it.", ["Version 3.5 is out.", "Get it."]),
        ("No. 5 is mine.", ["No. 5 is mine."]),
        ("Title\n\nThe body.", ["Title", "The body."]),
        ("no final punctuation", ["no final punctuation"]),
        ("  padded.   ", ["padded."]),
    ],
)
def test_split(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected


@pytest.mark.parametrize("text", ["", "   ", "\n\n"])
def test_empty_text_has_no_sentences(text: str) -> None:
    assert split_sentences(text) == []


def test_spans_are_ordered_and_non_overlapping() -> None:
    text = "One. Two! Three? Four... five.\n\nSix"
    spans = split_sentences(text)
    assert all(a < b for a, b in spans)
    assert all(prev[1] <= nxt[0] for prev, nxt in zip(spans, spans[1:], strict=False))
    assert "".join(text[a:b] for a, b in spans).replace(" ", "") == text.replace(" ", "").replace(
        "\n", ""
    )
