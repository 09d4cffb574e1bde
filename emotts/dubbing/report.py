"""What a dub leaves besides its samples: where each cue and word landed, and the per-cue report.

`DubReport` is all `Dubber.render_to` keeps once a cue is mixed (its report row, offset,
duration and word timings); `Track` builds the same object from its rendered cues, so the
report, timings and word-subtitle files of both paths come from one writer.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from pathlib import Path

from emotts.errors import ConfigError
from emotts.output_files import write_side_file
from emotts.synthesis.result import WordTiming

STATUSES = ("spoken", "sound", "skipped")
WORD_SUBTITLE_FORMATS = (".srt", ".vtt")


@dataclass(frozen=True)
class CueReport:
    """One row of the report per input cue.

    status: "spoken", "sound" (only sound descriptions, nothing said) or "skipped".
    start, end: the cue window; speech_start, speech_end: where its speech is on the track.
    speed: tempo applied (1 the voice's natural tempo, > 1 faster): the cue's base speed
        (script column or preset) times the fit's speed-up.
    natural_duration: seconds the speech takes at the base speed.
    overflow: seconds the speech runs past the cue end.
    overlaps: numbers of cues of other speakers whose speech overlaps this one (mixed).
    emotion_from_audio: label probabilities judged from the original audio in the cue window
        (``dub --emotion-from``), when the cue's emotion came from there.
    part: the voice's turn in a VTT cue with several voices (one row per turn), else None.
    """

    cue: int
    line: int | None
    status: str
    start: float | None
    end: float | None
    text: str
    reason: str | None = None
    speaker: str | None = None
    voice: str | None = None
    emotion: str | None = None
    preset: str | None = None
    speed: float | None = None
    natural_duration: float | None = None
    speech_start: float | None = None
    speech_end: float | None = None
    overflow: float = 0.0
    overlaps: list[int] = field(default_factory=list)
    sounds: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    emotion_from_audio: dict[str, float] | None = None
    part: int | None = None


@dataclass(frozen=True)
class TrackWord:
    """A spoken word in absolute track time."""

    word: str
    start: float
    end: float
    cue: int
    speaker: str


@dataclass(frozen=True)
class PlacedCue:
    """A spoken cue on the track: its number, speaker, start (offset, s), length (duration, s)
    and word timings relative to its start."""

    cue: int
    speaker: str
    offset: float
    duration: float
    words: list[WordTiming]


@dataclass
class DubReport:
    """A dub without its samples: track duration (s) and rate, placed cues, one row per cue."""

    duration: float
    sample_rate: int
    placed: list[PlacedCue]
    report: list[CueReport]

    @property
    def words(self) -> list[TrackWord]:
        return [
            TrackWord(w.word, p.offset + w.start, p.offset + w.end, p.cue, p.speaker)
            for p in self.placed
            for w in p.words
        ]

    @property
    def skipped(self) -> list[CueReport]:
        return [row for row in self.report if row.status == "skipped"]

    def report_dict(self) -> dict:
        counts = {status: sum(r.status == status for r in self.report) for status in STATUSES}
        return {
            "duration": self.duration,
            "sample_rate": self.sample_rate,
            "counts": counts,
            "cues": [asdict(row) for row in self.report],
        }

    def timings_dict(self) -> dict:
        return {
            "duration": self.duration,
            "sample_rate": self.sample_rate,
            "cues": [
                {
                    "cue": p.cue,
                    "speaker": p.speaker,
                    "start": p.offset,
                    "end": p.offset + p.duration,
                }
                for p in self.placed
            ],
            "words": [asdict(word) for word in self.words],
        }

    def save_report(self, path: str | Path) -> Path:
        """The per-cue report as JSON, written atomically (AudioError if it cannot be)."""
        return write_side_file(path, json.dumps(self.report_dict(), indent=2), "the report")

    def save_timings(self, path: str | Path) -> Path:
        """Word timings (track time) as JSON, written atomically."""
        return write_side_file(path, json.dumps(self.timings_dict(), indent=2), "the timings")

    def save_word_subtitles(self, path: str | Path) -> Path:
        """One subtitle per word, as .srt (``srt``) or .vtt (``webvtt-py``) by extension."""
        path = Path(path)
        suffix = path.suffix.lower()
        if suffix not in WORD_SUBTITLE_FORMATS:
            raise ConfigError(
                f"cannot write word subtitles to {str(path)!r}: extension {path.suffix!r}; "
                f"accepted: {', '.join(WORD_SUBTITLE_FORMATS)}"
            )
        words = self.words
        if suffix == ".srt":
            import srt

            text = srt.compose(
                srt.Subtitle(i, timedelta(seconds=w.start), timedelta(seconds=w.end), w.word)
                for i, w in enumerate(words, start=1)
            )
        else:
            import webvtt
            from webvtt.models import Timestamp

            text = (
                webvtt.WebVTT(
                    captions=[
                        webvtt.Caption(
                            str(Timestamp.from_seconds(w.start)),
                            str(Timestamp.from_seconds(w.end)),
                            w.word.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"),
                        )
                        for w in words
                    ]
                ).content
                + "\n"
            )
        return write_side_file(path, text, "the word subtitles")
