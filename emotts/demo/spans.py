"""Where in time each marked-up emotion span is spoken, for shading the F0 plot.

Word timings carry the character range of each word in the text the user typed (markup
included) and `parse_markup` segments carry theirs, so a span's time range is that of the words
whose characters fall inside the segment.
"""

from __future__ import annotations

from dataclasses import dataclass

from emotts.emotion.markup import MarkupSegment
from emotts.synthesis.result import WordTiming


@dataclass(frozen=True)
class EmotionSpan:
    """A stretch of audio spoken with a marked-up emotion; ``name`` is the spec's text form."""

    start: float
    end: float
    name: str
    dominant_label: str | None


def emotion_spans(segments: list[MarkupSegment], words: list[WordTiming]) -> list[EmotionSpan]:
    """One span per marked-up segment that has words in it, in time order.

    Segments without a tag (``emotion is None``) use the utterance emotion and are not shaded.
    """
    spans = []
    for segment in segments:
        if segment.emotion is None:
            continue
        inside = [w for w in words if segment.start <= w.start_char and w.end_char <= segment.end]
        if not inside:
            continue
        spec = segment.emotion
        dominant = None if spec.weights is None else max(spec.weights, key=lambda item: item[1])[0]
        spans.append(
            EmotionSpan(
                min(w.start for w in inside), max(w.end for w in inside), str(spec), dominant
            )
        )
    return sorted(spans, key=lambda span: span.start)
