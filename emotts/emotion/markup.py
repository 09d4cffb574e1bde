"""Inline markup: ``<emotion name="happy">...</emotion>`` and ``<prosody rate="0.8">...</prosody>``.

Syntax (documented for users in docs/emotion-control.md):

- ``<emotion name="happy" intensity="1.2">``, ``<emotion mix="happy:0.6,sad:0.4">`` or
  ``<emotion adv="0.7,0.2,-0.5" intensity="0.5">``, closed by ``</emotion>``; values in double
  or single quotes; exactly one of name/mix/adv; intensity optional; ``guidance="2"``
  optional (the span's emotion guidance weight, flow voices only). ``name="auto"`` reads the
  span's emotion from its words (an :class:`AutoEmotion`, resolved by the text front-end).
- ``<prosody rate="0.8">``, closed by ``</prosody>``: a speed factor for the span (higher is
  faster, the range of the global speed); ``rate`` is required and the only attribute.
- Tags nest properly in any order. The innermost emotion wins; nested rates multiply. A closing
  tag must close the innermost open tag: ``<emotion><prosody></emotion>`` crosses and is an
  error naming both tags; unclosed and unopened tags are errors.
- ``&lt;`` ``&gt;`` ``&amp;`` stand for ``<`` ``>`` ``&``. A ``<`` that starts no emotion tag is
  an error (write ``&lt;``); a ``&`` that starts no ``&name;`` entity is a literal ``&``.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import re
import warnings

from emotts.emotion.from_text import AUTO, AutoEmotion
from emotts.emotion.labels import join_message
from emotts.emotion.prosody import RATE_MEANING, parse_rate
from emotts.emotion.spec import EmotionSpec
from emotts.emotion.syntax import (
    parse_adv,
    parse_blend,
    parse_guidance,
    parse_intensity,
    parse_label,
    strip_token,
)
from emotts.errors import EmotionSpecError, MarkupError, TextWarning

TAG = "emotion"
ATTRIBUTES = ("name", "mix", "adv", "intensity", "guidance")
PROSODY_TAG = "prosody"
PROSODY_ATTRIBUTES = ("rate",)
TAGS = (TAG, PROSODY_TAG)
_BODY_ATTRIBUTES = ("name", "mix", "adv")
_ENTITIES = {"&lt;": "<", "&gt;": ">", "&amp;": "&"}

_TAG_START = re.compile(r"</?([A-Za-z][A-Za-z0-9_.:-]*)")
# Formatting tags of subtitles and chat/web text (SRT/VTT <i>, <b>, <u>, <font color=...>):
# they say how text looks, not how it sounds, so they are dropped (with a `TextWarning`).
FORMATTING_TAGS = ("i", "b", "u", "s", "em", "strong", "font", "br", "span")
_FORMATTING = re.compile(
    r"</?(?:" + "|".join(FORMATTING_TAGS) + r")(?:\s[^<>]*)?/?>", re.IGNORECASE
)
_ENTITY_LIKE = re.compile(r"&[A-Za-z0-9#]+;")
_ATTRIBUTE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.:-]*")
_TAG_HELP = (
    'Accepted: <emotion name="happy">, <emotion mix="happy:0.6,sad:0.4"> or '
    '<emotion adv="0.7,0.2,-0.5">, each optionally with intensity="1.2" and guidance="2", '
    "closed by </emotion>"
)
_LT_HELP = "Accepted: write &lt; for a literal '<', &gt; for '>', &amp; for '&'"
_PROSODY_HELP = f'Accepted: <prosody rate="0.8">, closed by </prosody>, rate {RATE_MEANING}'
_HELP = {TAG: _TAG_HELP, PROSODY_TAG: _PROSODY_HELP}
_TAG_ATTRIBUTES = {TAG: ATTRIBUTES, PROSODY_TAG: PROSODY_ATTRIBUTES}
_NESTING_HELP = (
    "Accepted: properly nested tags, each closed before the tag around it, e.g. "
    '<emotion name="sad"><prosody rate="0.7">...</prosody></emotion>'
)


@dataclasses.dataclass(frozen=True)
class _OpenTag:
    """A tag opened and not yet closed: its name, value (spec or rate) and position."""

    name: str
    value: EmotionSpec | AutoEmotion | float
    position: int


@dataclasses.dataclass(frozen=True)
class MarkupSegment:
    """A run of text sharing one emotion (``None``: the utterance default) and one ``rate``.

    ``start`` is the offset of the first character in the original input. ``offsets`` has one
    entry per character of ``text`` (where it starts in the original; an entity such as
    ``&amp;`` maps to its ``&``) plus a final entry, the original offset just past the segment.
    Built with three arguments, the segment is taken to be unescaped, contiguous text.
    ``rate`` is the speed factor of enclosing ``<prosody>`` tags (their product; 1.0 outside
    any), so each phoneme of the run lasts ``1 / rate`` times as long, on top of the global speed.

    SSML spans set the rest (emotts markup leaves them at their defaults): ``pitch_shift`` in
    semitones (nested spans add), ``pitch_range`` a factor on pitch movement and ``volume`` an
    amplitude factor (nested spans multiply); ``spoken`` is what the run is read as when that
    differs from ``text`` (``<sub alias>``, ``<say-as>``: the run is then one word), ``phonemes``
    the IPA given by ``<phoneme ph>`` (also one word) and ``language`` the espeak-ng voice that
    reads the run (None: the voice's own).
    """

    text: str
    emotion: EmotionSpec | AutoEmotion | None
    start: int
    offsets: tuple[int, ...] = ()
    rate: float = 1.0
    pitch_shift: float = 0.0
    pitch_range: float = 1.0
    volume: float = 1.0
    spoken: str | None = None
    phonemes: str | None = None
    language: str | None = None

    def __post_init__(self) -> None:
        if not self.offsets:
            contiguous = tuple(range(self.start, self.start + len(self.text) + 1))
            object.__setattr__(self, "offsets", contiguous)
        elif len(self.offsets) != len(self.text) + 1 or self.offsets[0] != self.start:
            raise ValueError("offsets need len(text) + 1 entries starting at start")
        if isinstance(self.rate, bool) or not isinstance(self.rate, int | float):
            raise ValueError(f"rate must be a positive finite number, got {self.rate!r}")
        if not 0.0 < self.rate < float("inf"):
            raise ValueError(f"rate must be a positive finite number, got {self.rate!r}")
        if not math.isfinite(self.pitch_shift):
            raise ValueError(f"pitch_shift must be finite, got {self.pitch_shift!r}")
        for name in ("pitch_range", "volume"):
            if not 0.0 <= getattr(self, name) < float("inf"):
                raise ValueError(f"{name} must be a non-negative finite number")

    @property
    def end(self) -> int:
        """Original offset just past the segment's last character."""
        return self.offsets[-1]

    def original_offset(self, index: int) -> int:
        """Original offset of ``text[index]``; ``index == len(text)`` gives :attr:`end`."""
        return self.offsets[index]

    def original_span(self, begin: int, stop: int) -> tuple[int, int]:
        """Original ``[start, end)`` covering ``text[begin:stop]``, whole entities included."""
        return self.offsets[begin], self.offsets[stop]


def escape(text: str) -> str:
    """Text with ``&``, ``<`` and ``>`` written as entities, so it parses back unchanged."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def emotion_tag(spec: EmotionSpec) -> str:
    """The opening tag that :func:`parse_markup` reads back as ``spec``."""
    if spec.adv is not None:
        body = 'adv="' + ",".join(repr(value) for value in spec.adv) + '"'
    elif spec.weights is not None and len(spec.weights) == 1 and spec.weights[0][1] == 1.0:
        body = f'name="{spec.weights[0][0]}"'
    else:
        body = 'mix="' + ",".join(f"{label}:{w!r}" for label, w in spec.weights or ()) + '"'
    intensity = "" if spec.intensity == 1.0 else f' intensity="{spec.intensity!r}"'
    guidance = "" if spec.guidance is None else f' guidance="{spec.guidance!r}"'
    return f"<{TAG} {body}{intensity}{guidance}>"


def _error(problem: str, position: int, accepted: str, hint: str = "") -> MarkupError:
    return MarkupError(join_message(f"{problem} at position {position}{hint}", accepted))


class _Parser:
    """One pass over the input; segments are cut at every tag so each stays contiguous."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.open_tags: list[_OpenTag] = []
        self.segments: list[MarkupSegment] = []
        self.chars: list[str] = []
        self.offsets: list[int] = []
        self.dropped: list[tuple[str, int]] = []

    def run(self) -> list[MarkupSegment]:
        position = 0
        while position < len(self.text):
            char = self.text[position]
            if char == "<":
                position = self._tag(position)
            elif char == "&":
                position = self._ampersand(position)
            else:
                self._add(char, position)
                position += 1
        self._flush(len(self.text))
        if self.dropped:
            listed = ", ".join(f"{tag!r} at position {at}" for tag, at in self.dropped[:10])
            more = f" and {len(self.dropped) - 10} more" if len(self.dropped) > 10 else ""
            warnings.warn(
                f"formatting tags dropped (they do not change speech): {listed}{more}",
                TextWarning,
                stacklevel=3,
            )
        if self.open_tags:
            innermost = self.open_tags[-1]
            raise _error(
                f"<{innermost.name}> tag is never closed",
                innermost.position,
                _HELP[innermost.name],
            )
        return self.segments

    def _add(self, char: str, position: int) -> None:
        self.chars.append(char)
        self.offsets.append(position)

    def _current(self) -> tuple[EmotionSpec | AutoEmotion | None, float]:
        """The innermost open emotion and the product of the open rates."""
        emotion, rate = None, 1.0
        for tag in self.open_tags:
            if tag.name == TAG:
                emotion = tag.value
            else:
                rate *= tag.value
        return emotion, rate

    def _flush(self, end: int) -> None:
        if self.chars:
            emotion, rate = self._current()
            offsets = (*self.offsets, end)
            self.segments.append(
                MarkupSegment("".join(self.chars), emotion, offsets[0], offsets, rate)
            )
        self.chars, self.offsets = [], []

    def _ampersand(self, position: int) -> int:
        entity = _ENTITY_LIKE.match(self.text, position)
        if entity is None:
            self._add("&", position)
            return position + 1
        if entity.group() not in _ENTITIES:
            raise _error(f"unknown entity {entity.group()!r}", position, _LT_HELP)
        self._add(_ENTITIES[entity.group()], position)
        return entity.end()

    def _tag(self, position: int) -> int:
        match = _TAG_START.match(self.text, position)
        if match is None:
            # "<3", "a < b", "<=": not a tag (a tag starts with a name), so literal text.
            self._add("<", position)
            return position + 1
        formatting = _FORMATTING.match(self.text, position)
        if formatting is not None:
            self.dropped.append((formatting.group(), position))
            if formatting.group()[1:3].lower() == "br":  # a line break still parts words
                self._add(" ", position)
            return formatting.end()
        name = match.group(1)
        if name not in TAGS:
            hint = "; tag names are lower case" if name.lower() in TAGS else ""
            accepted = (
                f"{_TAG_HELP}; or <prosody rate=\"0.8\">...</prosody>; for a literal '<' write &lt;"
            )
            raise _error(f"unknown tag {match.group()!r}", position, accepted, hint)
        self._flush(position)
        if self.text[position + 1] == "/":
            return self._close(name, position, match.end())
        value, after = self._open(name, position, match.end())
        self.open_tags.append(_OpenTag(name, value, position))
        return after

    def _skip_space(self, position: int) -> int:
        while position < len(self.text) and self.text[position].isspace():
            position += 1
        return position

    def _close(self, name: str, position: int, after_name: int) -> int:
        end = self._skip_space(after_name)
        if end >= len(self.text) or self.text[end] != ">":
            raise _error(f"closing tag </{name} is not followed by '>'", end, _HELP[name])
        opened = [tag for tag in self.open_tags if tag.name == name]
        if not opened:
            raise _error(f"</{name}> closes no open <{name}> tag", position, _HELP[name])
        innermost = self.open_tags[-1]
        if innermost.name != name:
            problem = (
                f"</{name}> at position {position} crosses tags: it would close the <{name}> "
                f"opened at position {opened[-1].position}, but the <{innermost.name}> opened "
                f"at position {innermost.position} inside it is still open; close "
                f"</{innermost.name}> first"
            )
            raise MarkupError(join_message(problem, _NESTING_HELP))
        self.open_tags.pop()
        return end + 1

    def _open(self, name: str, position: int, cursor: int) -> tuple[EmotionSpec | float, int]:
        help_text = _HELP[name]
        attributes: dict[str, tuple[str, int]] = {}
        while True:
            after_space = self._skip_space(cursor)
            if after_space >= len(self.text):
                raise _error(f"<{name}> tag is not closed with '>'", position, help_text)
            if self.text[after_space] == ">":
                if name == PROSODY_TAG:
                    return self._rate(position, attributes), after_space + 1
                return self._spec(position, attributes), after_space + 1
            if self.text.startswith("/>", after_space):
                problem = f"self-closing <{name}/> tags enclose no text"
                raise _error(problem, after_space, help_text)
            if after_space == cursor:
                raise _error("attributes must be separated by whitespace", cursor, help_text)
            cursor = self._attribute(name, after_space, attributes)

    def _attribute(self, tag: str, position: int, attributes: dict[str, tuple[str, int]]) -> int:
        help_text, allowed = _HELP[tag], _TAG_ATTRIBUTES[tag]
        name_match = _ATTRIBUTE_NAME.match(self.text, position)
        if name_match is None:
            found = self.text[position]
            raise _error(f"unexpected {found!r} inside <{tag}> tag", position, help_text)
        name = name_match.group()
        if name not in allowed:
            close = difflib.get_close_matches(name, allowed, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            accepted = f"Accepted attributes of <{tag}>: {', '.join(allowed)}"
            if tag == TAG:
                accepted = f"Accepted attributes: {', '.join(allowed)}"
            raise _error(f"unknown attribute {name!r}", position, accepted, hint)
        if name in attributes:
            raise _error(f"attribute {name!r} is given twice", position, "Accepted: each once")
        cursor = self._skip_space(name_match.end())
        if cursor >= len(self.text) or self.text[cursor] != "=":
            raise _error(f"attribute {name!r} has no '=\"value\"'", cursor, help_text)
        cursor = self._skip_space(cursor + 1)
        quote = self.text[cursor] if cursor < len(self.text) else ""
        if quote not in ("'", '"'):
            raise _error(f"value of {name!r} is not in quotes", cursor, help_text)
        closing = self.text.find(quote, cursor + 1)
        if closing < 0:
            raise _error(f"value of {name!r} has no closing {quote}", cursor, help_text)
        value = self.text[cursor + 1 : closing]
        if not value.strip():
            raise _error(f"value of {name!r} is empty", cursor + 1, help_text)
        attributes[name] = (value, cursor + 1)
        return closing + 1

    def _rate(self, position: int, attributes: dict[str, tuple[str, int]]) -> float:
        if "rate" not in attributes:
            raise _error("<prosody> tag needs a rate", position, _PROSODY_HELP)
        try:
            return parse_rate(*attributes["rate"])
        except EmotionSpecError as error:
            raise MarkupError(f"invalid <prosody> tag at position {position}: {error}") from error

    def _spec(
        self, position: int, attributes: dict[str, tuple[str, int]]
    ) -> EmotionSpec | AutoEmotion:
        return emotion_from_attributes(position, attributes)


def emotion_from_attributes(
    position: int, attributes: dict[str, tuple[str, int]]
) -> EmotionSpec | AutoEmotion:
    """The spec of an ``<emotion>`` tag at ``position`` from ``{name: (value, value offset)}``.

    Shared with the SSML reader, whose ``<emotts:emotion>`` takes the same attributes.
    """
    bodies = [name for name in _BODY_ATTRIBUTES if name in attributes]
    if not bodies:
        raise _error("<emotion> tag needs one of name, mix or adv", position, _TAG_HELP)
    if len(bodies) > 1:
        second = attributes[bodies[1]][1]
        problem = f"<emotion> tag gives both {bodies[0]} and {bodies[1]}"
        raise _error(problem, second, "Accepted: exactly one of name, mix, adv")
    kind = bodies[0]
    value, at = attributes[kind]
    try:
        intensity = 1.0
        if "intensity" in attributes:
            intensity = parse_intensity(*attributes["intensity"])
        guidance = None
        if "guidance" in attributes:
            guidance = parse_guidance(*attributes["guidance"])
        if kind == "adv":
            return EmotionSpec(adv=parse_adv(value, at), intensity=intensity, guidance=guidance)
        if kind == "name":
            token, token_at = strip_token(value, at)
            if token.lower() == AUTO:
                if guidance is not None:
                    problem = 'guidance= cannot be combined with name="auto"'
                    raise _error(problem, attributes["guidance"][1], _TAG_HELP)
                return AutoEmotion(intensity)
            if "," in token or ":" in token:
                raise _error("name takes one label; use mix= for a blend", token_at, _TAG_HELP)
            label = ((parse_label(token, token_at), 1.0),)
            return EmotionSpec(weights=label, intensity=intensity, guidance=guidance)
        return EmotionSpec(weights=parse_blend(value, at), intensity=intensity, guidance=guidance)
    except EmotionSpecError as error:
        raise MarkupError(f"invalid <emotion> tag at position {position}: {error}") from error


def parse_markup(text: str) -> list[MarkupSegment]:
    """Split ``text`` into segments by emotion; text without tags is a single segment.

    Empty runs (between adjacent tags, or an empty input) produce no segment.
    """
    if not isinstance(text, str):
        raise MarkupError(f"markup must be a string, got {type(text).__name__}")
    return _Parser(text).run()
