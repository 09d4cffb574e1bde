"""Text (with markup) -> per-sentence model input: ids, word spans, emotions, duration scales.

Order of work: parse markup, split sentences, normalize, phonemize word by word, encode. All
offsets are carried along so every word maps back to the characters of the ORIGINAL input
(markup included): a ``$5.20`` that is said "five dollars and twenty cents" is one word whose
span is those five characters.

Words are runs of text between whitespace (a normalization replacement that contains spaces,
such as "3:30 pm", is one word). Punctuation at either end of a word ("Hello," or "(so)")
becomes punctuation symbols next to the word's phonemes, outside its phoneme range. A word
takes the emotion of its first character, so an emotion span that ends mid-sentence switches
exactly at a word boundary; a span that ends inside a word switches at the next word.
``<prosody rate="...">`` spans work the same way: each phoneme's duration scale is 1 / rate of
its word (structural symbols take a neighbouring word's, as for emotions).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field

from emotts.emotion.markup import MarkupSegment, parse_markup
from emotts.emotion.spec import EmotionSpec
from emotts.errors import TextError
from emotts.text.normalize import find_replacements, is_english, join_spoken
from emotts.text.phonemize import Phonemizer
from emotts.text.sentences import split_sentences
from emotts.text.symbols import PUNCTUATION, SymbolTable, describe_char

_PLAIN_WHITESPACE = "\t\n\r\f\v"


@dataclass(frozen=True)
class WordSpan:
    """One word: its text (markup removed), its ``[start_char, end_char)`` in the original
    input, and its ``[first_phoneme, last_phoneme_exclusive)`` range in ``phoneme_ids``."""

    text: str
    start_char: int
    end_char: int
    first_phoneme: int
    last_phoneme_exclusive: int


@dataclass(frozen=True)
class SentenceInput:
    """Model input for one sentence; ``phonemes``, ``emotions`` and ``duration_scales`` have
    one entry per id.

    ``duration_scales`` stretch each phoneme's predicted duration (1 / the rate of its
    ``<prosody>`` span, 1.0 outside any); the global speed applies on top. Left empty (by code
    that builds inputs by hand), every phoneme keeps its predicted duration.
    """

    text: str
    phoneme_ids: list[int]
    phonemes: list[str]
    words: list[WordSpan]
    emotions: list[EmotionSpec]
    duration_scales: list[float] = field(default_factory=list)


@dataclass(frozen=True)
class _Plain:
    """The input with markup removed, and where each character came from."""

    text: str
    starts: list[int]  # original offset of each character
    ends: list[int]  # original offset just past each character (entities are several chars)
    emotions: list[EmotionSpec]
    rates: list[float]  # <prosody> rate of each character (1.0 outside any)


@dataclass(frozen=True)
class _Unit:
    """A verbatim token or a normalization replacement; offsets are into the plain text."""

    start: int
    end: int
    spoken: str
    verbatim: bool


@dataclass(frozen=True)
class _Group:
    """Units written without whitespace between them: optional punctuation, word, punctuation.

    ``lead``/``trail`` are plain-text offsets of the punctuation characters; ``start``/``end``
    bound the word (``spoken`` is empty for a group that is only punctuation).
    """

    lead: list[int]
    spoken: str
    start: int
    end: int
    trail: list[int]


def _flatten(segments: list[MarkupSegment], default: EmotionSpec) -> _Plain:
    text, starts, ends, emotions, rates = [], [], [], [], []
    for segment in segments:
        # offsets is an extension of the markup contract (entities); the contract itself only
        # promises start, with the segment being contiguous original text.
        offsets = getattr(segment, "offsets", None) or range(
            segment.start, segment.start + len(segment.text) + 1
        )
        text.append(segment.text)
        starts.extend(offsets[:-1])
        ends.extend(offsets[1:])
        emotions.extend([segment.emotion or default] * len(segment.text))
        rates.extend([getattr(segment, "rate", 1.0)] * len(segment.text))
    return _Plain("".join(text), starts, ends, emotions, rates)


def _is_speakable(ch: str, english: bool) -> bool:
    """Whether a character written in the text (not normalized away) can be read aloud."""
    if ch.isspace() or ch in PUNCTUATION:
        return True
    category = unicodedata.category(ch)
    if category[0] == "M":
        return True
    if category[0] == "L":
        # espeak-ng's English voices spell other scripts letter by letter ("Chinese letter").
        return not english or unicodedata.name(ch, "").startswith("LATIN")
    # English digits are all normalized to words; one left over is "½", "²", "٣", ...
    return category[0] == "N" and not english


def _first_non_latin(text: str) -> int | None:
    for index, ch in enumerate(text):
        if unicodedata.category(ch)[0] == "L" and not unicodedata.name(ch, "").startswith("LATIN"):
            return index
    return None


class TextFrontend:
    """Turns user text into :class:`SentenceInput` s for a voice's symbol table and language."""

    def __init__(self, symbols: SymbolTable, language: str = "en-us") -> None:
        self.symbols = symbols
        self.language = language
        self._phonemizer = Phonemizer(language)
        self._english = is_english(language)

    def process(self, text: str, default_emotion: EmotionSpec) -> list[SentenceInput]:
        """Sentences of ``text`` ready for the acoustic model.

        Raises :class:`MarkupError` for malformed markup and :class:`TextError` for empty text
        or characters that cannot be spoken (each naming the position in ``text``).
        """
        plain = _flatten(parse_markup(text), default_emotion)
        if not plain.text.strip():
            where = " once emotion markup is removed" if text.strip() else ""
            raise TextError(f"text is empty{where}; give at least one word to speak")
        self._check_controls(plain)
        sentences = [self._groups(plain, start, end) for start, end in split_sentences(plain.text)]
        # Sentences of punctuation alone ("...") have nothing to say and are dropped.
        sentences = [(span, groups) for span, groups in sentences if any(g.spoken for g in groups)]
        if not sentences:
            raise TextError("text has no words to speak, only punctuation")
        words = [g for _, groups in sentences for g in groups if g.spoken]
        # One phonemizer call for the whole text: espeak-ng start-up per call dominates.
        results = self._phonemizer.phonemize_words_flagged([w.spoken for w in words])
        checked = iter(
            [
                self._checked(plain, word, *result)
                for word, result in zip(words, results, strict=True)
            ]
        )
        return [self._assemble(plain, span, groups, checked) for span, groups in sentences]

    def _error(self, plain: _Plain, index: int, problem: str) -> TextError:
        position = plain.starts[index]
        return TextError(
            f"{problem} at position {position}: {describe_char(plain.text[index])} "
            f"cannot be spoken by the {self.language!r} voice; remove or spell it out"
        )

    def _check_controls(self, plain: _Plain) -> None:
        # Control characters count as whitespace for str.split(), so they are caught before
        # sentence splitting can discard them silently.
        for index, ch in enumerate(plain.text):
            if unicodedata.category(ch) == "Cc" and ch not in _PLAIN_WHITESPACE:
                raise self._error(plain, index, "control character")

    def _units(self, plain: _Plain, start: int, end: int) -> list[_Unit]:
        units = []
        position = start
        sentence = plain.text[start:end]
        for replacement in [*find_replacements(sentence, self.language), None]:
            stop = end if replacement is None else start + replacement.start
            units.extend(self._verbatim_units(plain, position, stop))
            if replacement is not None:
                position = start + replacement.end
                units.append(_Unit(start + replacement.start, position, replacement.spoken, False))
        return units

    def _verbatim_units(self, plain: _Plain, start: int, end: int) -> list[_Unit]:
        units = []
        index = start
        while index < end:
            if plain.text[index].isspace():
                index += 1
                continue
            token_start = index
            while index < end and not plain.text[index].isspace():
                if not _is_speakable(plain.text[index], self._english):
                    raise self._error(plain, index, "unsupported character")
                index += 1
            units.append(_Unit(token_start, index, plain.text[token_start:index], True))
        return units

    def _groups(self, plain: _Plain, start: int, end: int) -> tuple[tuple[int, int], list[_Group]]:
        groups: list[list[_Unit]] = []
        for unit in self._units(plain, start, end):
            if groups and groups[-1][-1].end == unit.start:
                groups[-1].append(unit)
            else:
                groups.append([unit])
        return (start, end), [self._split_punctuation(units) for units in groups]

    @staticmethod
    def _split_punctuation(units: list[_Unit]) -> _Group:
        # Replacements start and end with letters, so edge punctuation is always verbatim text.
        first, last = units[0], units[-1]
        lead_end = first.start
        if first.verbatim:
            while lead_end < first.end and first.spoken[lead_end - first.start] in PUNCTUATION:
                lead_end += 1
        trail_start = last.end
        if last.verbatim:
            while (
                trail_start > last.start
                and last.spoken[trail_start - last.start - 1] in PUNCTUATION
            ):
                trail_start -= 1
        if lead_end >= trail_start:  # only punctuation
            return _Group(list(range(first.start, last.end)), "", last.end, last.end, [])
        parts = []
        for unit in units:
            lo, hi = max(unit.start, lead_end), min(unit.end, trail_start)
            if lo < hi:
                parts.append(
                    unit.spoken[lo - unit.start : hi - unit.start] if unit.verbatim else unit.spoken
                )
        return _Group(
            list(range(first.start, lead_end)),
            join_spoken(parts),
            lead_end,
            trail_start,
            list(range(trail_start, last.end)),
        )

    def _checked(self, plain: _Plain, word: _Group, phonemes: str, switched: bool) -> str:
        written = plain.text[word.start : word.end]
        foreign = _first_non_latin(written) if switched else None
        if foreign is not None:
            raise self._error(plain, word.start + foreign, f"word {written!r} is in another script")
        if not phonemes.strip():
            raise self._error(plain, word.start, f"word {written!r} has no pronunciation")
        return phonemes

    def _punctuation_id(self, plain: _Plain, index: int) -> int:
        ch = plain.text[index]
        if ch not in self.symbols:
            raise self._error(plain, index, "punctuation missing from the voice's symbol table")
        return self.symbols.encode(ch)[0]

    def _assemble(
        self,
        plain: _Plain,
        span: tuple[int, int],
        groups: list[_Group],
        phonemes: Iterator[str],
    ) -> SentenceInput:
        """Ids for one sentence; ``phonemes`` yields each word's phonemes in text order."""
        ids = [self.symbols.bos_id]
        emotions: list[EmotionSpec] = []
        scales: list[float] = []
        words = []
        for number, group in enumerate(groups):
            first_char = group.start if group.spoken else group.lead[0]
            emotion = plain.emotions[first_char]
            scale = 1.0 / plain.rates[first_char]
            if number:
                # The separator keeps the previous word's emotion and scale, so a new span
                # starts exactly at the first phoneme of the word it was written on.
                ids.append(self.symbols.word_separator_id)
                emotions.append(emotions[-1])
                scales.append(scales[-1])
            ids.extend(self._punctuation_id(plain, i) for i in group.lead)
            if group.spoken:
                first = len(ids)
                ids.extend(self._encode_word(plain, group, next(phonemes)))
                words.append(
                    WordSpan(
                        text=plain.text[group.start : group.end],
                        start_char=plain.starts[group.start],
                        end_char=plain.ends[group.end - 1],
                        first_phoneme=first,
                        last_phoneme_exclusive=len(ids),
                    )
                )
            ids.extend(self._punctuation_id(plain, i) for i in group.trail)
            emotions.extend([emotion] * (len(ids) - len(emotions)))
            scales.extend([scale] * (len(ids) - len(scales)))
        ids.append(self.symbols.eos_id)
        emotions.append(emotions[-1])
        scales.append(scales[-1])
        return SentenceInput(
            text=plain.text[span[0] : span[1]],
            phoneme_ids=ids,
            phonemes=[self.symbols.symbol(i) for i in ids],
            words=words,
            emotions=emotions,
            duration_scales=scales,
        )

    def _encode_word(self, plain: _Plain, word: _Group, phonemes: str) -> list[int]:
        try:
            return self.symbols.encode(phonemes)
        except TextError as error:
            written = plain.text[word.start : word.end]
            raise TextError(
                f"word {written!r} at position {plain.starts[word.start]}: {error}"
            ) from error
