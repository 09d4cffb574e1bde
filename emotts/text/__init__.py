"""Text front-end: normalization, sentence splitting, espeak-ng phonemes, symbol ids."""

from emotts.text.frontend import SentenceInput, TextFrontend, WordSpan
from emotts.text.normalize import normalize_text
from emotts.text.phonemize import Phonemizer
from emotts.text.sentences import split_sentences
from emotts.text.symbols import SymbolTable, default_symbols

__all__ = [
    "Phonemizer",
    "SentenceInput",
    "SymbolTable",
    "TextFrontend",
    "WordSpan",
    "default_symbols",
    "normalize_text",
    "split_sentences",
]
