"""espeak-ng phonemization: stress, punctuation, one result per word, language errors."""

from __future__ import annotations

import pytest

from emotts.errors import TextError
from emotts.text.phonemize import Phonemizer


@pytest.fixture(scope="module")
def english() -> Phonemizer:
    return Phonemizer("en-us")


def test_one_result_per_word_with_stress_and_punctuation(english: Phonemizer) -> None:
    words = ["Hello,", "I", "am", "here!", '"quoted"', "…"]
    result = english.phonemize_words(words)
    assert len(result) == len(words)
    assert result[0].endswith(",") and "ˈ" in result[0]
    assert result[3].endswith("!")
    assert result[4].startswith('"') and result[4].endswith('"')
    assert result[5] == "…"


def test_words_are_not_merged(english: Phonemizer) -> None:
    # As one sentence espeak-ng merges "I am" into one word; per word it must not.
    assert english.phonemize_words(["I", "am"]) == ["ˈaɪ", "æm"]


def test_empty_list(english: Phonemizer) -> None:
    assert english.phonemize_words([]) == []


def test_empty_word_is_an_error_not_a_shift(english: Phonemizer) -> None:
    with pytest.raises(TextError, match="word 1 is empty"):
        english.phonemize_words(["a", " ", "b"])


def test_language_switch_is_reported() -> None:
    [(phonemes, switched)] = Phonemizer("de").phonemize_words_flagged(["Привет"])
    assert switched
    assert "(" not in phonemes


def test_unknown_language() -> None:
    with pytest.raises(TextError, match="available_languages") as error:
        Phonemizer("en-uss")
    assert "'en-us'" in str(error.value)


def test_available_languages() -> None:
    languages = Phonemizer.available_languages()
    assert "en-us" in languages and "de" in languages
