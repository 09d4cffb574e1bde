"""SSML 1.1 documents -> :class:`MarkedText` (segments with prosody, breaks, marks).

Supported: ``speak``, ``p``, ``s``, ``break``, ``prosody`` (rate, pitch, range, volume),
``emphasis``, ``say-as``, ``sub``, ``phoneme`` (IPA), ``lang`` and ``mark``, plus emotts's
``<emotion>`` in its own namespace (:data:`EMOTTS_NAMESPACE`). Elements may be in the SSML
namespace or in none. Anything else is an :class:`SsmlError` naming the element, its position
and what is supported; in lenient mode unsupported elements are read as their text, and
unsupported attributes (and say-as types) are skipped, each listed in ``MarkedText.ignored``.
Bad values of supported attributes are errors in both modes.
"""

from __future__ import annotations

import dataclasses

from emotts.emotion.markup import MarkupSegment, emotion_from_attributes
from emotts.emotion.spec import EmotionSpec
from emotts.errors import SsmlError, TextError
from emotts.text.marked import BreakEvent, MarkedText, MarkEvent
from emotts.text.normalize import is_english, normalize_text
from emotts.text.phonemize import Phonemizer
from emotts.text.ssml import say_as, values
from emotts.text.ssml.tree import Element, TextRun, parse_tree

SSML_NAMESPACE = "http://www.w3.org/2001/10/synthesis"
EMOTTS_NAMESPACE = "urn:emotts"
_XML_NAMESPACE = "http://www.w3.org/XML/1998/namespace"
_XSI_NAMESPACE = "http://www.w3.org/2001/XMLSchema-instance"
_LANG = "xml:lang"

#: Accepted attributes of each supported element (qualified names as written).
ELEMENT_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "speak": ("version", _LANG, "xsi:schemaLocation"),
    "p": (_LANG,),
    "s": (_LANG,),
    "break": ("time", "strength"),
    "prosody": ("rate", "pitch", "range", "volume"),
    "emphasis": ("level",),
    "say-as": ("interpret-as", "format"),
    "sub": ("alias",),
    "phoneme": ("ph", "alphabet"),
    "lang": (_LANG,),
    "mark": ("name",),
    "emotion": ("name", "mix", "adv", "intensity", "guidance"),
}
_EMPTY_ELEMENTS = ("break", "mark")
_TEXT_ONLY_ELEMENTS = ("say-as", "sub", "phoneme")
_REQUIRED = {
    "say-as": "interpret-as",
    "sub": "alias",
    "phoneme": "ph",
    "lang": _LANG,
    "mark": "name",
}
SUPPORTED_TEXT = (
    "speak, p, s, break, prosody, emphasis, say-as, sub, phoneme, lang, mark, and "
    f'emotion in the emotts namespace (<speak xmlns:emotts="{EMOTTS_NAMESPACE}"> ... '
    '<emotts:emotion name="happy">...</emotts:emotion>)'
)
_LENIENT_HINT = "; lenient reading (--ssml-lenient, ssml_lenient=True) speaks its text instead"
_SENTENCE_BREAK = "\n\n"


@dataclasses.dataclass(frozen=True)
class _Style:
    """What the enclosing elements say about the text inside them."""

    emotion: EmotionSpec | None = None
    rate: float = 1.0
    pitch_shift: float = 0.0
    pitch_range: float = 1.0
    volume: float = 1.0
    language: str | None = None


def looks_like_ssml(text: str) -> bool:
    """Whether ``text`` is an SSML document: it starts with ``<speak`` or an XML declaration."""
    head = text.lstrip()
    return head.startswith("<?xml") or (head.startswith("<speak") and head[6:7] in " \t\r\n>/")


class _Reader:
    def __init__(
        self, language: str, pitch: values.PitchReference, lenient: bool, text: str
    ) -> None:
        self.voice_language = language
        self.pitch = pitch
        self.lenient = lenient
        self.text = text
        self.segments: list[MarkupSegment] = []
        self.events: list[BreakEvent | MarkEvent] = []
        self.ignored: list[str] = []
        self.length = 0  # characters of plain text emitted so far

    # -- output ---------------------------------------------------------------------------

    def _emit(self, text: str, offsets: list[int], style: _Style, **fixed) -> None:
        if not text:
            return
        self.segments.append(
            MarkupSegment(
                text,
                style.emotion,
                offsets[0],
                tuple(offsets),
                style.rate,
                style.pitch_shift,
                style.pitch_range,
                style.volume,
                language=style.language,
                **fixed,
            )
        )
        self.length += len(text)

    def _sentence_break(self, position: int, style: _Style) -> None:
        # A blank line ends a sentence for the splitter; it is whitespace, so nothing is said.
        self._emit(_SENTENCE_BREAK, [position] * (len(_SENTENCE_BREAK) + 1), style)

    # -- checks ---------------------------------------------------------------------------

    def _unsupported(self, problem: str, position: int, accepted: str) -> bool:
        """Lenient: note it and go on (True). Strict: raise."""
        if self.lenient:
            self.ignored.append(f"{problem} at position {position}")
            return True
        raise SsmlError(f"{problem} at position {position}. Supported: {accepted}{_LENIENT_HINT}")

    def _attributes(self, element: Element, kind: str) -> dict[str, tuple[str, int]]:
        """Supported attributes as ``{name: (value, position)}``; others raise or are noted."""
        allowed = ELEMENT_ATTRIBUTES[kind]
        kept = {}
        for qname, attribute in element.attributes.items():
            name = qname
            if attribute.namespace == _XML_NAMESPACE:
                name = f"xml:{attribute.name}"
            elif attribute.namespace == _XSI_NAMESPACE:
                name = f"xsi:{attribute.name}"
            if name in allowed:
                kept[name] = (attribute.value, attribute.position)
                continue
            self._unsupported(
                f"unsupported attribute {qname!r} of <{element.qname}>",
                attribute.position,
                f"attributes of <{kind}>: {', '.join(allowed) or 'none'}",
            )
        required = _REQUIRED.get(kind)
        if required and required not in kept:
            raise SsmlError(
                f"<{element.qname}> at position {element.position} needs a {required} attribute"
            )
        return kept

    def _kind(self, element: Element) -> str | None:
        """The supported element this is, or None."""
        if element.namespace == EMOTTS_NAMESPACE:
            return "emotion" if element.name == "emotion" else None
        if element.namespace in (None, SSML_NAMESPACE) and element.name in ELEMENT_ATTRIBUTES:
            return None if element.name == "emotion" else element.name
        return None

    # -- walking --------------------------------------------------------------------------

    def document(self, root: Element) -> MarkedText:
        if self._kind(root) != "speak":
            raise SsmlError(
                f"the SSML root element is <{root.qname}> at position {root.position}; "
                "an SSML document is one <speak>...</speak> element"
            )
        attributes = self._attributes(root, "speak")
        style = self._language(_Style(), attributes)
        self._children(root, style)
        return MarkedText(self.segments, self.events, self.ignored)

    def _children(self, element: Element, style: _Style) -> None:
        for child in element.children:
            if isinstance(child, TextRun):
                self._emit(child.text, child.offsets, style)
            else:
                self._element(child, style)

    def _element(self, element: Element, style: _Style) -> None:
        kind = self._kind(element)
        if kind is None or kind == "speak":
            problem = (
                f"<{element.qname}> inside <speak>"
                if kind == "speak"
                else f"unsupported element <{element.qname}>"
            )
            if element.namespace == EMOTTS_NAMESPACE:
                problem += " (the emotts namespace has only <emotion>)"
            elif element.name == "emotion":
                problem += f' (write it in the emotts namespace, xmlns:emotts="{EMOTTS_NAMESPACE}")'
            self._unsupported(problem, element.position, SUPPORTED_TEXT)
            self._children(element, style)
            return
        attributes = self._attributes(element, kind)
        if kind in _EMPTY_ELEMENTS and element.children:
            raise SsmlError(
                f"<{element.qname}> at position {element.position} must be empty; "
                f"write <{element.qname} .../> with no text or elements inside"
            )
        if kind in _TEXT_ONLY_ELEMENTS:
            nested = element.child_elements()
            if nested:
                raise SsmlError(
                    f"<{nested[0].qname}> at position {nested[0].position} is inside "
                    f"<{element.qname}>, which takes text only"
                )
        getattr(self, "_" + kind.replace("-", "_"))(element, attributes, style)

    def _language(self, style: _Style, attributes: dict[str, tuple[str, int]]) -> _Style:
        if _LANG not in attributes:
            return style
        value, position = attributes[_LANG]
        tag = value.strip().lower()
        own = self.voice_language.lower()
        if tag in (own, own.split("-")[0]):
            return dataclasses.replace(style, language=None)
        available = Phonemizer.available_languages()
        for candidate in (tag, f"{tag}-{tag}"):
            if candidate in available:
                return dataclasses.replace(style, language=candidate)
        raise SsmlError(
            f"xml:lang {value!r} at position {position} is not a language the voice's "
            f"phonemizer (espeak-ng) can read. Accepted: {self.voice_language!r} or an espeak-ng "
            f"voice such as {', '.join(available[:8])} ... "
            "(emotts.text.Phonemizer.available_languages() lists them all)"
        )

    def _speak(self, element, attributes, style) -> None:  # pragma: no cover - root only
        raise AssertionError("handled by document()")

    def _p(self, element: Element, attributes, style: _Style) -> None:
        self._sentence_break(element.position, style)
        self._children(element, self._language(style, attributes))
        self._sentence_break(element.position, style)

    _s = _p

    def _lang(self, element: Element, attributes, style: _Style) -> None:
        self._children(element, self._language(style, attributes))

    def _break(self, element: Element, attributes, style: _Style) -> None:
        if "time" in attributes:
            seconds = values.parse_break_time(*attributes["time"])
        elif "strength" in attributes:
            seconds = values.parse_break_strength(*attributes["strength"])
        else:
            seconds = values.BREAK_STRENGTHS["medium"]
        self.events.append(BreakEvent(self.length, seconds, element.position, element.tag_end))

    def _mark(self, element: Element, attributes, style: _Style) -> None:
        name = attributes["name"][0]
        self.events.append(MarkEvent(self.length, name, element.position, element.tag_end))

    def _prosody(self, element: Element, attributes, style: _Style) -> None:
        changes = {}
        if "rate" in attributes:
            changes["rate"] = style.rate * values.parse_rate(*attributes["rate"])
        if "pitch" in attributes:
            shift = style.pitch_shift + values.parse_pitch(*attributes["pitch"], self.pitch)
            changes["pitch_shift"] = self._total_shift(shift, attributes["pitch"][1])
        if "range" in attributes:
            factor = values.parse_range(*attributes["range"], self.pitch)
            changes["pitch_range"] = style.pitch_range * factor
        if "volume" in attributes:
            changes["volume"] = style.volume * values.parse_volume(*attributes["volume"])
        self._children(element, dataclasses.replace(style, **changes))

    @staticmethod
    def _total_shift(shift: float, position: int) -> float:
        if abs(shift) > values.PITCH_SHIFT_LIMIT:
            raise SsmlError(
                f"nested pitch changes add up to {shift:+.3g} semitones at position {position}. "
                f"Accepted: a total within +-{values.PITCH_SHIFT_LIMIT:g} semitones"
            )
        return shift

    def _emphasis(self, element: Element, attributes, style: _Style) -> None:
        level = values.EMPHASIS_LEVELS["moderate"]
        if "level" in attributes:
            level = values.parse_emphasis(*attributes["level"])
        emphasized = dataclasses.replace(
            style,
            rate=style.rate * level.rate,
            pitch_shift=self._total_shift(style.pitch_shift + level.pitch_shift, element.position),
            pitch_range=style.pitch_range * level.pitch_range,
            volume=style.volume * 10.0 ** (level.volume_db / 20.0),
        )
        self._children(element, emphasized)

    def _emotion(self, element: Element, attributes, style: _Style) -> None:
        spec = emotion_from_attributes(element.position, attributes)
        self._children(element, dataclasses.replace(style, emotion=spec))

    def _content(self, element: Element) -> tuple[str, list[int]]:
        """The text inside a text-only element and its offsets; empty text is an error."""
        text, offsets = "", [element.tag_end]
        for run in element.text_runs():
            text += run.text
            offsets = offsets[:-1] + run.offsets
        if not text.strip():
            raise SsmlError(
                f"<{element.qname}> at position {element.position} is empty; put the written "
                f"text inside it, e.g. <{element.qname} ...>text</{element.qname}>"
            )
        return text, offsets

    def _sub(self, element: Element, attributes, style: _Style) -> None:
        alias, position = attributes["alias"]
        language = style.language or self.voice_language
        spoken = (
            normalize_text(alias, language) if is_english(language) else " ".join(alias.split())
        )
        if not any(ch.isalnum() for ch in spoken):
            raise SsmlError(f"alias {alias!r} at position {position} has no words to say")
        self._emit(*self._content(element), style, spoken=spoken)

    def _phoneme(self, element: Element, attributes, style: _Style) -> None:
        alphabet, position = attributes.get("alphabet", ("ipa", element.position))
        if alphabet.strip().lower() != "ipa":
            self._unsupported(
                f"phoneme alphabet {alphabet!r}", position, 'alphabet="ipa" (the default)'
            )
            self._emit(*self._content(element), style)
            return
        ph, ph_position = attributes["ph"]
        if not ph.strip():
            raise SsmlError(f"ph at position {ph_position} is empty; give the IPA to say")
        self._emit(*self._content(element), style, phonemes=" ".join(ph.split()))

    def _say_as(self, element: Element, attributes, style: _Style) -> None:
        kind_text, kind_position = attributes["interpret-as"]
        kind = kind_text.strip().lower()
        text, offsets = self._content(element)
        interpreter = say_as.INTERPRETERS.get(kind)
        if interpreter is None:
            self._unsupported(
                f"say-as interpret-as={kind_text!r}",
                kind_position,
                ", ".join(sorted(say_as.INTERPRETERS)),
            )
            self._emit(text, offsets, style)
            return
        fmt = attributes.get("format")
        fmt_value = fmt[0].strip().lower() if fmt else None
        say_as.check_format(kind, fmt_value, fmt[1] if fmt else element.position)
        language = style.language or self.voice_language
        if not is_english(language):
            raise TextError(
                f"<say-as> at position {element.position} reads English only; the text there "
                f"is in {language!r}. Write the words out instead"
            )
        self._emit(text, offsets, style, spoken=interpreter(text, element.position, fmt_value))


def parse_ssml(
    text: str,
    *,
    language: str = "en-us",
    pitch: values.PitchReference | None = None,
    lenient: bool = False,
) -> MarkedText:
    """Read an SSML document (a text without a ``<speak>`` root is read as if wrapped in one).

    ``language``: the voice's espeak-ng language; ``pitch``: its pitch statistics, needed for
    pitch and range values in Hz or semitones of range.
    """
    if not isinstance(text, str):
        raise SsmlError(f"SSML must be a string, got {type(text).__name__}")
    reference = pitch or values.PitchReference()
    if looks_like_ssml(text):
        root = parse_tree(text)
    else:
        prefix = f'<speak xmlns="{SSML_NAMESPACE}">'
        root = parse_tree(f"{prefix}{text}</speak>", shift=len(prefix))
    return _Reader(language, reference, lenient, text).document(root)
