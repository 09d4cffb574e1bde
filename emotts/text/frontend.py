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
its word (structural symbols take a neighbouring word's, as for emotions). SSML spans add
per-phoneme pitch shift, pitch range and volume the same way, fixed readings (``<sub>``,
``<say-as>``, ``<phoneme>``: one word each, not normalized), per-word languages (``<lang>``)
and breaks and marks at word boundaries (see ``emotts.text.boundaries``).
"""

from __future__ import annotations

import dataclasses
import unicodedata
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field

from emotts.emotion.from_text import AutoEmotion, TextEmotionEstimate, resolve_auto
from emotts.emotion.markup import parse_markup
from emotts.emotion.spec import EmotionSpec
from emotts.errors import TextError, TextWarning
from emotts.text.boundaries import Mark, Pause, SentencePlace, place_events, structural_range
from emotts.text.marked import MarkedText
from emotts.text.normalize import find_replacements, is_english, join_spoken
from emotts.text.phonemize import Phonemizer
from emotts.text.plain import PhonemeControls, PlainText, flatten
from emotts.text.sentences import split_sentences
from emotts.text.ssml import PitchReference, looks_like_ssml, parse_ssml
from emotts.text.symbols import PUNCTUATION, SymbolTable, describe_char

_PLAIN_WHITESPACE = "\t\n\r\f\v"
#: Words phonemized per espeak-ng call by `TextFrontend.iter_process` (whole sentences).
PHONEMIZE_WORDS = 64


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
    """Model input for one sentence; ``phonemes``, ``emotions`` and the per-phoneme control
    lists have one entry per id.

    ``duration_scales`` stretch each phoneme's predicted duration (1 / the rate of its
    ``<prosody>`` span, 1.0 outside any; 0 for the symbols a break replaces); the global speed
    applies on top. ``pitch_shifts`` (semitones), ``pitch_ranges`` (factors) and ``volumes``
    (amplitude factors) come from SSML spans; ``events`` are the sentence's breaks and marks in
    text order. Left empty (by code that builds inputs by hand), a list means "unchanged".
    """

    text: str
    phoneme_ids: list[int]
    phonemes: list[str]
    words: list[WordSpan]
    emotions: list[EmotionSpec]
    duration_scales: list[float] = field(default_factory=list)
    pitch_shifts: list[float] = field(default_factory=list)
    pitch_ranges: list[float] = field(default_factory=list)
    volumes: list[float] = field(default_factory=list)
    events: list[Pause | Mark] = field(default_factory=list)


@dataclass(frozen=True)
class _Unit:
    """A verbatim token, a normalization replacement or a fixed reading (offsets: plain text).

    ``phonemes`` is set for ``<phoneme>`` readings, which are never merged with other units.
    """

    start: int
    end: int
    spoken: str
    verbatim: bool
    phonemes: str | None = None


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
    phonemes: str | None = None


def _resolve_auto(
    plain: PlainText, default: EmotionSpec | AutoEmotion, spans_of
) -> tuple[PlainText, list[tuple[EmotionSpec, TextEmotionEstimate]]]:
    """``plain`` with every :class:`AutoEmotion` (``<emotion name="auto">`` spans, or the
    default) replaced by the emotion read from its words per sentence; and what was read.

    ``spans_of(plain)`` gives the sentence spans, so runs are cut where sentences end.
    """
    emotions = [segment.emotion or default for segment in plain.segments]
    if not any(isinstance(emotion, AutoEmotion) for emotion in emotions):
        return plain, []
    resolved, found = resolve_auto(plain.text, emotions, spans_of(plain))
    segments = [
        dataclasses.replace(segment, emotion=spec) if isinstance(emotion, AutoEmotion) else segment
        for segment, emotion, spec in zip(plain.segments, emotions, resolved, strict=True)
    ]
    return dataclasses.replace(plain, segments=segments), found


def inferred_emotions(
    text: str, default: EmotionSpec | AutoEmotion
) -> list[tuple[EmotionSpec, TextEmotionEstimate]]:
    """What ``auto`` (the default or ``<emotion name="auto">`` spans) reads from emotts-markup
    ``text``: the spec and the estimate per sentence or span, in text order; empty when nothing
    is ``auto``."""
    plain = flatten(parse_markup(text))
    return _resolve_auto(plain, default, lambda p: split_sentences(p.text))[1]


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


def _is_silent(text: str, index: int) -> bool:
    """Whether ``text[index]`` is an emoji or symbol with no reading (left silent): a symbol
    the normalizer did not read, an invisible format character (zero-width joiner, variation
    selector), or a combining mark or skin-tone modifier attached to one of these."""
    ch = text[index]
    category = unicodedata.category(ch)
    if category in ("So", "Sk", "Sm", "Sc", "Cf", "Co"):
        return ch not in PUNCTUATION
    if category[0] == "M" and index > 0:
        return _is_silent(text, index - 1)
    return False


def _warn_silent(silent: dict[str, list[int]]) -> None:
    found = "; ".join(
        f"{describe_char(ch)} at position{'s' if len(at) > 1 else ''} "
        + ", ".join(map(str, at[:5]))
        + (f" and {len(at) - 5} more" if len(at) > 5 else "")
        for ch, at in silent.items()
        # The joiners and marks inside an emoji sequence are named with the emoji.
        if not (unicodedata.category(ch).startswith("M") or ch == "\u200d")
    )
    if found:
        warnings.warn(
            f"left silent (emoji or symbols with no reading): {found}", TextWarning, stacklevel=4
        )


def _first_non_latin(text: str) -> int | None:
    for index, ch in enumerate(text):
        if unicodedata.category(ch)[0] == "L" and not unicodedata.name(ch, "").startswith("LATIN"):
            return index
    return None


class TextFrontend:
    """Turns user text into :class:`SentenceInput` s for a voice's symbol table and language.

    ``pitch``: the voice's pitch statistics, for SSML pitch and range values given in Hz.
    """

    def __init__(
        self, symbols: SymbolTable, language: str = "en-us", pitch: PitchReference | None = None
    ) -> None:
        self.symbols = symbols
        self.language = language
        self.pitch = pitch or PitchReference()
        self._phonemizers = {language: Phonemizer(language)}
        self._english = is_english(language)

    def read(self, text: str, *, ssml: bool | None = None, lenient: bool = False) -> MarkedText:
        """Parse emotts markup or SSML (``ssml=None``: SSML when ``text`` starts with
        ``<speak`` or an XML declaration). ``lenient`` only matters for SSML."""
        if ssml is None:
            ssml = isinstance(text, str) and looks_like_ssml(text)
        if ssml:
            return parse_ssml(text, language=self.language, pitch=self.pitch, lenient=lenient)
        return MarkedText(parse_markup(text))

    def process(
        self,
        text: str | MarkedText,
        default_emotion: EmotionSpec | AutoEmotion,
        *,
        ssml: bool | None = None,
        lenient: bool = False,
    ) -> list[SentenceInput]:
        """Sentences of ``text`` (or of an already read :class:`MarkedText`) for the model.

        Raises :class:`MarkupError` for malformed markup or SSML and :class:`TextError` for
        empty text or characters that cannot be spoken (each naming the position in ``text``).
        Emoji and symbols with no reading are left silent with a :class:`TextWarning`.
        """
        return list(self.iter_process(text, default_emotion, ssml=ssml, lenient=lenient))

    def iter_process(
        self,
        text: str | MarkedText,
        default_emotion: EmotionSpec | AutoEmotion,
        *,
        ssml: bool | None = None,
        lenient: bool = False,
    ) -> Iterator[SentenceInput]:
        """`process`, lazily: the sentences are phonemized and assembled as they are asked
        for (a few sentences, ``PHONEMIZE_WORDS`` words, per phonemizer call).

        What can be checked from the characters alone (markup, empty text, control
        characters, unsupported characters, silent symbols) is checked before this returns,
        so a stream fails before its first audio on such input; only a word that espeak-ng
        cannot read is found when its sentence is reached.
        """
        marked = (
            text if isinstance(text, MarkedText) else self.read(text, ssml=ssml, lenient=lenient)
        )
        plain, _ = _resolve_auto(flatten(marked.segments), default_emotion, self._spans)
        if isinstance(default_emotion, AutoEmotion):
            default_emotion = EmotionSpec.neutral()  # every character was resolved above
        if not plain.text.strip():
            where = " once markup is removed" if marked.segments or marked.events else ""
            raise TextError(f"text is empty{where}; give at least one word to speak")
        self._check_controls(plain)
        spans = self._spans(plain)
        # A pass over the characters (normalization only, nothing kept but word starts when
        # there are SSML events to place) finds every character problem up front.
        silent: dict[str, list[int]] = {}
        places, spoken = [], 0
        for start, end in spans:
            _, groups = self._groups(plain, start, end, silent)
            words = [g.start for g in groups if g.spoken]
            if words:
                spoken += 1
                if marked.events:
                    places.append(SentencePlace(start, end, words))
        if silent:
            _warn_silent(silent)
        if not spoken:
            raise TextError("text has no words to speak, only punctuation")
        events = iter(place_events(marked.events, places)) if marked.events else None
        return self._sentences(plain, spans, default_emotion, events)

    def _sentences(self, plain, spans, default_emotion, events) -> Iterator[SentenceInput]:
        pending: list[tuple[tuple[int, int], list[_Group]]] = []
        words = 0
        for index, (start, end) in enumerate(spans):
            span, groups = self._groups(plain, start, end, {})
            # Sentences of punctuation alone ("...") have nothing to say and are dropped.
            if any(g.spoken for g in groups):
                pending.append((span, groups))
                words += sum(1 for g in groups if g.spoken)
            if pending and (words >= PHONEMIZE_WORDS or index + 1 == len(spans)):
                spoken = [g for _, groups in pending for g in groups if g.spoken]
                checked = iter(self._phonemize(plain, spoken))
                for span, groups in pending:
                    sentence_events = next(events) if events is not None else []
                    yield self._assemble(
                        plain, span, groups, checked, default_emotion, sentence_events
                    )
                pending, words = [], 0

    def _spans(self, plain: PlainText) -> list[tuple[int, int]]:
        """Sentence spans, merged where a boundary would cut a fixed reading in two."""
        spans: list[tuple[int, int]] = []
        for start, end in split_sentences(plain.text):
            if spans and any(u.start < spans[-1][1] < u.end for u in plain.fixed):
                spans[-1] = (spans[-1][0], end)
            else:
                spans.append((start, end))
        return spans

    def _language_of(self, plain: PlainText, index: int) -> str:
        return plain.segments[index].language or self.language

    def _phonemizer(self, language: str) -> Phonemizer:
        if language not in self._phonemizers:
            self._phonemizers[language] = Phonemizer(language)
        return self._phonemizers[language]

    def _phonemize(self, plain: PlainText, words: list[_Group]) -> list[str]:
        """Phonemes per word: given ones as they are, the rest with one call per language
        (espeak-ng start-up per call dominates)."""
        results: list[str | None] = [w.phonemes for w in words]
        by_language: dict[str, list[int]] = {}
        for index, word in enumerate(words):
            if word.phonemes is None:
                by_language.setdefault(self._language_of(plain, word.start), []).append(index)
        for language, indices in by_language.items():
            flagged = self._phonemizer(language).phonemize_words_flagged(
                [words[i].spoken for i in indices]
            )
            for i, result in zip(indices, flagged, strict=True):
                results[i] = self._checked(plain, words[i], *result)
        return results

    def _error(self, plain: PlainText, index: int, problem: str) -> TextError:
        position = plain.starts[index]
        return TextError(
            f"{problem} at position {position}: {describe_char(plain.text[index])} "
            f"cannot be spoken by the {self.language!r} voice; remove or spell it out"
        )

    def _check_controls(self, plain: PlainText) -> None:
        # Control characters count as whitespace for str.split(), so they are caught before
        # sentence splitting can discard them silently.
        for index, ch in enumerate(plain.text):
            if unicodedata.category(ch) == "Cc" and ch not in _PLAIN_WHITESPACE:
                raise self._error(plain, index, "control character")

    def _units(
        self, plain: PlainText, start: int, end: int, silent: dict[str, list[int]]
    ) -> list[_Unit]:
        """Units of a sentence: fixed readings as they are, the runs between them normalized
        (English runs only) and split at whitespace."""
        units = []
        position = start
        for fixed in [u for u in plain.fixed if start <= u.start < end]:
            units.extend(self._normalized_units(plain, position, fixed.start, silent))
            units.append(_Unit(fixed.start, fixed.end, fixed.spoken, False, fixed.phonemes))
            position = fixed.end
        units.extend(self._normalized_units(plain, position, end, silent))
        return units

    def _normalized_units(
        self, plain: PlainText, start: int, end: int, silent: dict[str, list[int]]
    ) -> list[_Unit]:
        units = []
        while start < end:
            # A run of one language: normalization rules are English, so other runs keep theirs.
            language = self._language_of(plain, start)
            stop = start + 1
            while stop < end and self._language_of(plain, stop) == language:
                stop += 1
            replacements = find_replacements(plain.text[start:stop], language)
            position = start
            for replacement in [*replacements, None]:
                cut = stop if replacement is None else start + replacement.start
                units.extend(self._verbatim_units(plain, position, cut, silent))
                if replacement is not None:
                    position = start + replacement.end
                    units.append(
                        _Unit(start + replacement.start, position, replacement.spoken, False)
                    )
            start = stop
        return units

    def _verbatim_units(
        self, plain: PlainText, start: int, end: int, silent: dict[str, list[int]]
    ) -> list[_Unit]:
        """Whitespace-separated tokens; emoji and symbols with no reading are left out (like
        whitespace) and collected in ``silent`` (character -> original offsets)."""
        units = []
        index = start
        while index < end:
            if plain.text[index].isspace() or _is_silent(plain.text, index):
                if not plain.text[index].isspace():
                    silent.setdefault(plain.text[index], []).append(plain.starts[index])
                index += 1
                continue
            token_start = index
            while (
                index < end
                and not plain.text[index].isspace()
                and not _is_silent(plain.text, index)
            ):
                if not _is_speakable(
                    plain.text[index], is_english(self._language_of(plain, index))
                ):
                    raise self._error(plain, index, "unsupported character")
                index += 1
            units.append(_Unit(token_start, index, plain.text[token_start:index], True))
        return units

    def _groups(
        self, plain: PlainText, start: int, end: int, silent: dict[str, list[int]]
    ) -> tuple[tuple[int, int], list[_Group]]:
        groups: list[list[_Unit]] = []
        for unit in self._units(plain, start, end, silent):
            previous = groups[-1][-1] if groups else None
            joined = previous is not None and previous.end == unit.start
            if joined and previous.phonemes is None and unit.phonemes is None:
                groups[-1].append(unit)
            else:
                groups.append([unit])
        return (start, end), [self._split_punctuation(units) for units in groups]

    @staticmethod
    def _split_punctuation(units: list[_Unit]) -> _Group:
        # Replacements start and end with letters, so edge punctuation is always verbatim text.
        first, last = units[0], units[-1]
        if first.phonemes is not None:
            return _Group([], first.spoken, first.start, first.end, [], first.phonemes)
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

    def _checked(self, plain: PlainText, word: _Group, phonemes: str, switched: bool) -> str:
        written = plain.text[word.start : word.end]
        foreign = _first_non_latin(written) if switched else None
        if foreign is not None:
            raise self._error(plain, word.start + foreign, f"word {written!r} is in another script")
        if not phonemes.strip():
            raise self._error(plain, word.start, f"word {written!r} has no pronunciation")
        return phonemes

    def _punctuation_id(self, plain: PlainText, index: int) -> int:
        ch = plain.text[index]
        if ch not in self.symbols:
            raise self._error(plain, index, "punctuation missing from the voice's symbol table")
        return self.symbols.encode(ch)[0]

    def _assemble(
        self,
        plain: PlainText,
        span: tuple[int, int],
        groups: list[_Group],
        phonemes: Iterator[str],
        default_emotion: EmotionSpec,
        events: list[Pause | Mark],
    ) -> SentenceInput:
        """Ids for one sentence; ``phonemes`` yields each word's phonemes in text order."""
        ids = [self.symbols.bos_id]
        controls = PhonemeControls(default_emotion)
        words = []
        for number, group in enumerate(groups):
            first_char = group.start if group.spoken else group.lead[0]
            if number:
                # The separator keeps the previous word's controls, so a new span starts
                # exactly at the first phoneme of the word it was written on.
                ids.append(self.symbols.word_separator_id)
                controls.repeat_last()
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
            controls.fill(plain, first_char, len(ids))
        ids.append(self.symbols.eos_id)
        controls.repeat_last()
        ranges = [(w.first_phoneme, w.last_phoneme_exclusive) for w in words]
        for event in events:
            if isinstance(event, Pause):
                lo, hi = structural_range(event.boundary, ranges, len(ids))
                controls.scales[lo:hi] = [0.0] * (hi - lo)
        return SentenceInput(
            text=plain.text[span[0] : span[1]],
            phoneme_ids=ids,
            phonemes=[self.symbols.symbol(i) for i in ids],
            words=words,
            emotions=controls.emotions,
            duration_scales=controls.scales,
            pitch_shifts=controls.shifts,
            pitch_ranges=controls.ranges,
            volumes=controls.volumes,
            events=events,
        )

    def _encode_word(self, plain: PlainText, word: _Group, phonemes: str) -> list[int]:
        try:
            return self.symbols.encode(phonemes)
        except TextError as error:
            written = plain.text[word.start : word.end]
            raise TextError(
                f"word {written!r} at position {plain.starts[word.start]}: {error}"
            ) from error
