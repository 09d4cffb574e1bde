"""The result of `Dubber.render`: the track's samples, the rendered cues, and the report.

The report, timings and word subtitles are written by `DubReport` (emotts.dubbing.report),
the same writer `Dubber.render_to` uses, so both paths give the same side files.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from emotts.dubbing.cues import Cue
from emotts.dubbing.report import (
    STATUSES,
    WORD_SUBTITLE_FORMATS,
    CueReport,
    DubReport,
    PlacedCue,
    TrackWord,
)
from emotts.synthesis.result import Audio

__all__ = [
    "STATUSES",
    "WORD_SUBTITLE_FORMATS",
    "CueReport",
    "RenderedCue",
    "Track",
    "TrackWord",
]


@dataclass(frozen=True)
class RenderedCue:
    """A cue that was spoken: its speech (timings relative to it) and where it starts."""

    cue: Cue
    speaker: str
    offset: float
    audio: Audio


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

    def summary(self) -> DubReport:
        """Everything but the samples: what `Dubber.render_to` returns for the same cues."""
        placed = [
            PlacedCue(r.cue.number, r.speaker, r.offset, r.audio.duration, r.audio.words)
            for r in self.cues
        ]
        return DubReport(self.duration, self.sample_rate, placed, self.report)

    @property
    def words(self) -> list[TrackWord]:
        return self.summary().words

    @property
    def skipped(self) -> list[CueReport]:
        return self.summary().skipped

    def save(self, path: str | Path) -> Path:
        """Write the track as .wav or .flac."""
        from emotts.audio.io import save_audio

        save_audio(path, self.samples, self.sample_rate)
        return Path(path)

    def report_dict(self) -> dict:
        return self.summary().report_dict()

    def timings_dict(self) -> dict:
        return self.summary().timings_dict()

    def save_report(self, path: str | Path) -> Path:
        """The per-cue report as JSON, written atomically (AudioError if it cannot be)."""
        return self.summary().save_report(path)

    def save_timings(self, path: str | Path) -> Path:
        """Word timings (track time) as JSON, written atomically."""
        return self.summary().save_timings(path)

    def save_word_subtitles(self, path: str | Path) -> Path:
        """One subtitle per word, as .srt (``srt``) or .vtt (``webvtt-py``) by extension."""
        return self.summary().save_word_subtitles(path)
