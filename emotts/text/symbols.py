"""Phoneme symbol table: the mapping between phoneme characters and model input ids.

A symbol is exactly one Unicode character. espeak-ng writes stress (ˈ ˌ), length (ː) and
combining diacritics as separate characters, so one-character symbols keep them as their own
ids and never need a tokenizer that could disagree with the one used at training time.

The table belongs to a voice: it is saved in the voice config (``to_list``) and restored from
it (``from_list``), because ids are only meaningful for the model that was trained with them.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence

from emotts.errors import ConfigError, TextError

PAD = "_"
BOS = "^"
EOS = "$"
WORD_SEPARATOR = " "
SPECIAL_SYMBOLS = (PAD, BOS, EOS, WORD_SEPARATOR)

# Punctuation passed through to the model as its own symbols: it carries phrasing (pauses,
# questions) that the acoustic model should see. Straight and typographic quotes are kept
# apart because replacing characters would break the mapping back to the user's text.
PUNCTUATION = ".,!?;:-–—…\"'()[]{}«»“”‘’„¡¿"

# The order below is part of every trained voice's identity; append, never reorder.
_DIGITS = "0123456789"  # espeak-ng writes tone numbers for tone languages (cmn, yue, vi)
_LOWER = "abcdefghijklmnopqrstuvwxyz"
_UPPER = "ASXZ"  # phoneme mnemonics that a few espeak-ng voices leak into their output
_VOWELS = "ɨʉɯɪʏʊøɘɵɤəɛœɜɞʌɔæɐɶɑɒɚɝᵻᵿäε"  # plus a e i o u y above
_CONSONANTS = "ɓɗʄɠʛʈɖɟɡɢʔɱɳɲŋɴʙʀⱱɾɽɸβθðʃʒʂʐçʝɣχʁħʕɦɬɮʋɹɻɰɭʎʟʍɥʜʢʡɕʑɺɧʘǀǃǂǁɫʦʧʤʣʨʥΦ"
_MODIFIERS = "ʰʷʲˠˤⁿˡ˞ʼ"
_COMBINING = "\u0303\u0329\u032f\u032a\u0325\u032c\u030a\u031a\u031d\u031e\u031f\u0320\u0308\u033d\u0339\u031c\u0324\u0330\u033c\u033a\u033b\u0361\u035c"
_SUPRASEGMENTALS = "ˈˌːˑ‖|↗↘`#"
_TONES = "˥˦˧˨˩"


def default_symbols(language: str = "en-us") -> list[str]:
    """The fixed, ordered symbol list for a new voice.

    One list serves every language: it covers everything espeak-ng emits for English
    (checked on the 13,100 LJSpeech sentences) plus the general IPA chart and what the other
    espeak-ng voices were seen to emit, so a voice for another language mostly works with it.
    ``language`` is accepted so that a per-language list can be introduced without changing
    callers; today it does not change the result.
    """
    del language  # one shared list today; see docstring
    groups = (
        PUNCTUATION,
        _DIGITS,
        _LOWER,
        _UPPER,
        _VOWELS,
        _CONSONANTS,
        _MODIFIERS,
        _COMBINING,
        _SUPRASEGMENTALS,
        _TONES,
    )
    return [*SPECIAL_SYMBOLS, *(ch for group in groups for ch in group)]


def describe_char(ch: str) -> str:
    """``'x' (U+0078 LATIN SMALL LETTER X)``: readable even for invisible characters."""
    name = unicodedata.name(ch, "unnamed character")
    return f"{ch!r} (U+{ord(ch):04X} {name})"


class SymbolTable:
    """Bidirectional map between one-character phoneme symbols and integer ids.

    ``_`` (pad) is id 0 so that zero-padding in batches is the pad symbol; ``^`` (bos),
    ``$`` (eos) and `` `` (word separator) must be present.
    """

    def __init__(self, symbols: Sequence[str]) -> None:
        symbols = list(symbols)
        for index, symbol in enumerate(symbols):
            if not isinstance(symbol, str) or len(symbol) != 1:
                raise ConfigError(
                    f"symbol table entry {index} is {symbol!r}; every symbol must be a "
                    "single character"
                )
        if not symbols or symbols[0] != PAD:
            raise ConfigError(f"symbol table must start with the pad symbol {PAD!r} (id 0)")
        seen: dict[str, int] = {}
        for index, symbol in enumerate(symbols):
            if symbol in seen:
                raise ConfigError(
                    f"symbol {symbol!r} appears twice in the symbol table "
                    f"(ids {seen[symbol]} and {index})"
                )
            seen[symbol] = index
        missing = [s for s in SPECIAL_SYMBOLS if s not in seen]
        if missing:
            raise ConfigError(
                f"symbol table lacks the special symbols {missing!r}; it needs pad {PAD!r}, "
                f"bos {BOS!r}, eos {EOS!r} and word separator {WORD_SEPARATOR!r}"
            )
        self._symbols = symbols
        self._ids = seen

    @classmethod
    def default(cls, language: str = "en-us") -> SymbolTable:
        """A table over :func:`default_symbols`."""
        return cls(default_symbols(language))

    @classmethod
    def from_list(cls, data: object) -> SymbolTable:
        """Restore a table from the list stored in a voice config."""
        if not isinstance(data, list):
            raise ConfigError(
                f"symbol table in the voice config must be a list of strings, "
                f"got {type(data).__name__}"
            )
        return cls(data)

    def to_list(self) -> list[str]:
        """The symbols in id order, for the voice config (JSON-serializable)."""
        return list(self._symbols)

    @property
    def pad_id(self) -> int:
        return self._ids[PAD]

    @property
    def bos_id(self) -> int:
        return self._ids[BOS]

    @property
    def eos_id(self) -> int:
        return self._ids[EOS]

    @property
    def word_separator_id(self) -> int:
        return self._ids[WORD_SEPARATOR]

    def __len__(self) -> int:
        return len(self._symbols)

    def __contains__(self, symbol: object) -> bool:
        return symbol in self._ids

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SymbolTable) and self._symbols == other._symbols

    def __hash__(self) -> int:
        return hash(tuple(self._symbols))

    def __repr__(self) -> str:
        return f"SymbolTable({len(self._symbols)} symbols)"

    def symbol(self, symbol_id: int) -> str:
        """The symbol with id ``symbol_id``."""
        return self._symbols[symbol_id]

    def encode(self, phonemes: str) -> list[int]:
        """Ids of each character of a phoneme string (spaces become the word separator).

        Raises :class:`TextError` naming every unknown symbol and its position; pad, bos and
        eos are reserved for the frontend and are refused here too, since silently turning a
        ``$`` in the input into end-of-sentence would corrupt the model input.
        """
        reserved = {PAD, BOS, EOS}
        problems = [
            (position, ch)
            for position, ch in enumerate(phonemes)
            if ch not in self._ids or ch in reserved
        ]
        if problems:
            listed = ", ".join(f"{describe_char(ch)} at {pos}" for pos, ch in problems[:10])
            more = f" and {len(problems) - 10} more" if len(problems) > 10 else ""
            raise TextError(
                f"phonemes {phonemes!r} contain symbols this voice cannot encode: "
                f"{listed}{more}; the voice knows {len(self._symbols)} symbols "
                f"(pad {PAD!r}, bos {BOS!r} and eos {EOS!r} are reserved)"
            )
        return [self._ids[ch] for ch in phonemes]

    def decode(self, ids: Iterable[int]) -> str:
        """The phoneme string for ``ids`` (inverse of :meth:`encode`)."""
        return "".join(self._symbols[i] for i in ids)
