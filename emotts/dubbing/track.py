"""The result of dubbing: the track, where each cue and word landed, and the per-cue report."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from pathlib import Path

import numpy as np

from emotts.dubbing.cues import Cue
from emotts.errors import ConfigError
from emotts.output_files import write_side_file
from emotts.synthesis.result import Audio

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
class RenderedCue:
    """A cue that was spoken: its speech (timings relative to it) and where it starts."""

    cue: Cue
    speaker: str
    offset: float
    audio: Audio


@dataclass(frozen=True)
class TrackWord:
    """A spoken word in absolute track time."""

    word: str
    start: float
    end: float
    cue: int
    speaker: str


@dataclass
class Track:
    """The dubbed track: samples [T] float32 at ``sample_rate``, rendered cues, words, report."""

    samples: np.ndarray
    sample_rate: int
    cues: list[RenderedCue]
    report: list[CueReport]

    @property
    def duration(self) -> float:
        return len(self.samples) / self.sample_rate

    @property
    def words(self) -> list[TrackWord]:
        return [
            TrackWord(
                w.word,
                rendered.offset + w.start,
                rendered.offset + w.end,
                rendered.cue.number,
                rendered.speaker,
            )
            for rendered in self.cues
            for w in rendered.audio.words
        ]

    @property
    def skipped(self) -> list[CueReport]:
        return [row for row in self.report if row.status == "skipped"]

    def save(self, path: str | Path) -> Path:
        """Write the track as .wav or .flac."""
        from emotts.audio.io import save_audio

        save_audio(path, self.samples, self.sample_rate)
        return Path(path)

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
                    "cue": r.cue.number,
                    "speaker": r.speaker,
                    "start": r.offset,
                    "end": r.offset + r.audio.duration,
                }
                for r in self.cues
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
