"""A cue: one line of dialogue with its time window, as read from a subtitle file or a script.

Loaders never raise for one bad cue: a cue they cannot read keeps its number and line and
carries the reason in ``problem``, so the renderer reports it as skipped and renders the rest.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from emotts.emotion.spec import EmotionSpec


@dataclass(frozen=True)
class Cue:
    """One cue.

    number: 1-based position among the cues of its source (the number reports use).
    start, end: seconds on the track; None when the source's timing could not be read.
    text: what to say; subtitle formatting removed, while a leading emotion tag
        (``[happy]``), sound descriptions (``[door slams]``) and inline ``<emotion>`` /
        ``<prosody>`` markup are kept for the renderer to interpret.
    line: 1-based line of the cue in its source file (None for cues built in code).
    voice: a character name (VTT ``<v Name>``, the script's ``voice`` column), mapped to one
        of the voice's speakers by the cast.
    speaker: one of the voice's speakers (name or index), bypassing the cast.
    emotion: the cue's emotion from script columns (a leading tag in ``text`` wins).
    speed: base tempo for the cue (1 natural, higher is faster).
    preset: an emotion preset name (script ``preset`` column, or ``emotion: preset:NAME``).
    intensity: replaces the intensity of the preset's emotion (script column with a preset).
    problem: why the source's cue could not be read; such a cue is skipped.
    notes: what the loader had to decide about a readable cue (reported as warnings).
    part: for a VTT cue with several voices, which voice's turn this is (1-based): such a
        cue becomes one cue per turn, with the same number and line, each in its share of the
        window; None for an ordinary cue.
    """

    number: int
    start: float | None
    end: float | None
    text: str
    line: int | None = None
    voice: str | None = None
    speaker: str | int | None = None
    emotion: EmotionSpec | str | None = None
    speed: float | None = None
    preset: str | None = None
    intensity: float | None = None
    problem: str | None = None
    notes: tuple[str, ...] = ()
    part: int | None = None

    def where(self) -> str:
        """``cue 3 (line 12)``: how messages name the cue."""
        part = f" part {self.part}" if self.part is not None else ""
        return f"cue {self.number}{part}" + (f" (line {self.line})" if self.line else "")


def timing_problem(cue: Cue) -> str | None:
    """What is wrong with a cue's time window, or None when it can be rendered."""
    for name, value in (("start", cue.start), ("end", cue.end)):
        if value is None:
            return f"{name} time is missing"
        if isinstance(value, bool) or not isinstance(value, int | float):
            return f"{name} time must be a number of seconds, got {value!r}"
        if not math.isfinite(value) or value < 0:
            return f"{name} time {value!r} is not a non-negative number of seconds"
    if cue.end <= cue.start:  # type: ignore[operator]
        return (
            f"ends at {cue.end:.3f} s, not after its start at {cue.start:.3f} s; "
            "a cue needs end > start"
        )
    return None
