"""A cue on its way to the track (`CuePlan`), and what is decided from all cues at once:
the next line of each role (the fit's only look-ahead), where speech lands and what overlaps,
and the track's length. Shared by `Dubber.render` and `Dubber.render_to`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from emotts.dubbing.cues import Cue
from emotts.dubbing.report import CueReport, PlacedCue
from emotts.synthesis.batch import SentenceAcoustic, Utterance
from emotts.synthesis.result import Audio


@dataclass
class CuePlan:
    """A cue on its way to the track."""

    cue: Cue
    row: CueReport
    role: str = ""  # who speaks: a character name or the speaker; one role never overlaps itself
    utterance: Utterance | None = None
    natural: list[SentenceAcoustic] = field(default_factory=list)
    audio: Audio | None = None
    order: int = 0  # place among the spoken cues (input order): overlapping cues add in it
    noise_key: tuple[int, int] = (0, 0)  # a flow voice's seeded noise (`noise_keys`)
    placed: PlacedCue | None = None  # what render_to keeps of a mixed cue


def following_same_role(spoken: list[CuePlan]) -> dict[int, CuePlan]:
    """id(plan) -> the next spoken plan of its role: the only look-ahead the fit needs, known
    from the cues alone before anything is rendered."""
    by_start = sorted(spoken, key=lambda p: (p.cue.start, p.cue.number))
    next_same: dict[int, CuePlan] = {}
    last_of_role: dict[str, CuePlan] = {}
    for plan in reversed(by_start):
        if plan.role in last_of_role:
            next_same[id(plan)] = last_of_role[plan.role]
        last_of_role[plan.role] = plan
    return next_same


def noise_keys(spoken: list[CuePlan]) -> list[tuple[int, int]]:
    """Each spoken cue's key for a flow voice's seeded noise (`acoustic_batch` keys): (its
    start in whole milliseconds, how many spoken cues before it in input order start in the
    same millisecond). Keyed by where it starts, not by its place in an acoustic call or among
    the cues, a cue renders the same when cues are added or removed anywhere else, and two
    cues with the same text and settings still draw different noise."""
    seen: dict[int, int] = {}
    keys = []
    for plan in spoken:
        start = round(plan.cue.start * 1000)  # < 2**32: cues end within MAX_TRACK_SECONDS
        keys.append((start, seen.get(start, 0)))
        seen[start] = keys[-1][1] + 1
    return keys


def place_rows(spoken: list[CuePlan], spans: list[tuple[int, int]], rate: int) -> None:
    """Each spoken row's place on the track (``spans``: samples at ``rate``) and the cues of
    other roles it overlaps."""
    overlaps = overlapping(spans, [p.role for p in spoken])
    for plan, (start, end), others in zip(spoken, spans, overlaps, strict=True):
        numbers = [spoken[i].cue.number for i in others]
        plan.row = replace(
            plan.row, speech_start=start / rate, speech_end=end / rate, overlaps=numbers
        )
        if numbers:
            plan.row.warnings.append(
                f"overlaps cue(s) {', '.join(map(str, numbers))} of other speakers; mixed"
            )


def track_samples(
    plans: list[CuePlan], spans: list[tuple[int, int]], rate: int, fixed: float | None
) -> int:
    """Samples of the track at ``rate``: ``fixed`` seconds, else to the last speech or cue."""
    if fixed is not None:
        return round(fixed * rate)
    return max(
        [
            0,
            *(end for _, end in spans),
            *(round(p.cue.end * rate) for p in plans if p.row.status != "skipped"),
        ]
    )


def overlapping(spans: list[tuple[int, int]], roles: list[str]) -> list[list[int]]:
    """For each span, the indices of spans of other roles that overlap it (a sweep by start)."""
    result: list[list[int]] = [[] for _ in spans]
    active: list[int] = []
    for index in sorted(range(len(spans)), key=lambda i: spans[i][0]):
        start = spans[index][0]
        active = [i for i in active if spans[i][1] > start]
        for other in active:
            if roles[other] != roles[index]:
                result[index].append(other)
                result[other].append(index)
        active.append(index)
    return [sorted(found) for found in result]
