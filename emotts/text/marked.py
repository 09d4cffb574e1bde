"""What the markup readers hand the front-end: text segments plus events between words.

Both readers produce a :class:`MarkedText`: emotts's inline markup (``parse_markup``) gives
segments only; SSML (``emotts.text.ssml``) adds ``<break>`` and ``<mark>`` events and lists the
elements it ignored in lenient mode. An event's ``position`` is an offset into the plain text
(the segments' texts joined), so the front-end can place it at a word boundary.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from emotts.emotion.markup import MarkupSegment


@dataclass(frozen=True)
class BreakEvent:
    """An exact silence of ``seconds`` (``<break>``); ``start``/``end``: the tag in the input."""

    position: int
    seconds: float
    start: int
    end: int


@dataclass(frozen=True)
class MarkEvent:
    """A named point (``<mark name>``) to report with its time; ``start``/``end``: the tag."""

    position: int
    name: str
    start: int
    end: int


@dataclass(frozen=True)
class MarkedText:
    """Segments in order, events in text order, and what lenient SSML reading ignored."""

    segments: list[MarkupSegment]
    events: list[BreakEvent | MarkEvent] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
