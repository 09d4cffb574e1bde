"""Symbol table: layout, round trip, unknown-symbol errors, and coverage of espeak-ng output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from emotts.errors import ConfigError, TextError
from emotts.text.phonemize import Phonemizer
from emotts.text.symbols import SymbolTable, default_symbols

CORPUS = (
    Path(__file__).resolve().parents[1].parent / "shared" / "corpora" / "ljspeech_transcripts.csv"
)


def test_special_symbols() -> None:
    table = SymbolTable.default()
    assert table.pad_id == 0 and table.symbol(0) == "_"
    assert table.symbol(table.bos_id) == "^"
    assert table.symbol(table.eos_id) == "$"
    assert table.symbol(table.word_separator_id) == " "


def test_one_symbol_per_character_with_stress_and_length() -> None:
    symbols = default_symbols()
    assert all(len(s) == 1 for s in symbols)
    assert len(set(symbols)) == len(symbols)
    for ch in "ˈˌː.,!?;:-—…\"'()":
        assert ch in symbols


def test_encode_decode_round_trip() -> None:
    table = SymbolTable.default()
    phonemes = "həlˈoʊ, wˈɜːld!"
    ids = table.encode(phonemes)
    assert len(ids) == len(phonemes)
    assert table.decode(ids) == phonemes


def test_list_round_trip_through_json() -> None:
    table = SymbolTable.default()
    restored = SymbolTable.from_list(json.loads(json.dumps(table.to_list())))
    assert restored == table
    assert restored.encode("ˈaɪ") == table.encode("ˈaɪ")


def test_unknown_symbols_are_named_with_positions() -> None:
    table = SymbolTable(["_", "^", "$", " ", "a", "b"])
    with pytest.raises(TextError) as error:
        table.encode("abxa🙂")
    message = str(error.value)
    assert "'x'" in message and "at 2" in message
    assert "🙂" in message and "at 4" in message


def test_reserved_symbols_are_refused_in_phonemes() -> None:
    with pytest.raises(TextError, match=r"'\$'.* at 1"):
        SymbolTable.default().encode("a$")


@pytest.mark.parametrize(
    "symbols",
    [
        [],
        ["^", "_", "$", " "],
        ["_", "^", "$"],
        ["_", "^", "$", " ", "a", "a"],
        ["_", "^", "$", " ", "ab"],
    ],
)
def test_invalid_tables(symbols: list[str]) -> None:
    with pytest.raises(ConfigError):
        SymbolTable(symbols)


def test_from_list_rejects_non_lists() -> None:
    with pytest.raises(ConfigError):
        SymbolTable.from_list({"symbols": "abc"})


@pytest.mark.skipif(not CORPUS.exists(), reason="LJSpeech transcripts not available")
def test_default_symbols_cover_english_espeak_output() -> None:
    lines = CORPUS.read_text(encoding="utf-8").splitlines()[::25]
    sentences = [line.split("|")[2] for line in lines]
    table = SymbolTable.default()
    for phonemes in Phonemizer("en-us").phonemize_words(sentences):
        table.encode(phonemes)


@pytest.mark.parametrize("language", ["de", "fr-fr", "es", "ru"])
def test_default_symbols_cover_other_languages(language: str) -> None:
    samples = {
        "de": "Zwölf Boxkämpfer jagen Viktor quer über den großen Sylter Deich",
        "fr-fr": "Voix ambiguë d'un cœur qui au zéphyr préfère les jattes de kiwis",
        "es": "El veloz murciélago hindú comía feliz cardillo y kiwi",
        "ru": "Съешь же ещё этих мягких французских булок",
    }
    phonemes = Phonemizer(language).phonemize_words(samples[language].split())
    SymbolTable.default(language).encode(" ".join(phonemes))
