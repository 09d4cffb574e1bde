"""Dubbing: cues (SRT, WebVTT, JSONL, CSV) -> one timed, emotional dialogue track.

from emotts import Voice
from emotts.dubbing import Dubber, load_cues
track = Dubber(Voice.load(), fit="exact").render(load_cues("film.srt"))
track.save("dialogue.wav"); track.words; track.report

See docs/dubbing.md.
"""

from emotts.dubbing.cast import Cast
from emotts.dubbing.cues import Cue
from emotts.dubbing.dubber import Dubber
from emotts.dubbing.load import load_cues, parse_cues
from emotts.dubbing.track import CueReport, RenderedCue, Track, TrackWord

__all__ = [
    "Cast",
    "Cue",
    "CueReport",
    "Dubber",
    "RenderedCue",
    "Track",
    "TrackWord",
    "load_cues",
    "parse_cues",
]
