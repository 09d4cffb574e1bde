"""One sentence's frames after the acoustic model: exact pauses, mark times and span volume.

SSML breaks are placed here, after the acoustic model and before the vocoder, so both
backends share them: the front-end gave the symbols at a break's word boundary no frames, and
:func:`lay_out` inserts exactly ``round(seconds / frame)`` silent mel frames there (see
:func:`silence`), then :meth:`Timeline.finish` sets those samples to exact zeros. A pause is thus within half a frame (hop / sample rate / 2, 5.8 ms at
22050 Hz / 256) of what was asked and sits exactly between the two words in the timings.

Volume spans are a gain on the waveform (the acoustic model's energy is not calibrated in
dB): the gain of each frame is that of its phoneme, interpolated linearly between frame
centres, so a change ramps over one frame instead of clicking.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from emotts.synthesis.result import BreakTiming, MarkTiming
from emotts.text.boundaries import Mark, Pause, structural_range
from emotts.text.frontend import SentenceInput
from emotts.text.symbols import BOS, EOS, WORD_SEPARATOR

_ANCHORS = (WORD_SEPARATOR, BOS, EOS)


def pause_frames(seconds: float, frame_seconds: float) -> int:
    """Frames of silence for ``seconds`` (nearest whole frame)."""
    return int(math.floor(seconds / frame_seconds + 0.5))


def sentence_pause_frames(sentence: SentenceInput, frame_seconds: float) -> int:
    """All pause frames of a sentence, which an exact total duration must leave room for."""
    return sum(
        pause_frames(e.seconds, frame_seconds) for e in sentence.events if isinstance(e, Pause)
    )


@dataclass(frozen=True)
class Timeline:
    """A sentence laid out in frames: durations [T_ph] (pauses included), mel [80, T_fr],
    the silent frame ranges, and break and mark timings in seconds."""

    durations: np.ndarray
    mel: np.ndarray
    silences: list[tuple[int, int]]
    breaks: list[BreakTiming]
    marks: list[MarkTiming]
    volumes: np.ndarray

    def finish(self, samples: np.ndarray, hop_length: int, start_frame: int = 0) -> np.ndarray:
        """The vocoded samples with the span volumes applied and the pauses exactly silent.

        ``samples`` may be a piece that starts at ``start_frame`` (chunked streaming); the
        gains and silences are those of the same samples in the whole sentence.
        """
        gains = None
        if np.any(self.volumes != 1.0):
            gains = FrameGains(0, np.repeat(self.volumes, self.durations))
        return finish_samples(samples, hop_length, start_frame, gains, self.silences)


@dataclass(frozen=True)
class FrameGains:
    """The span-volume gain of frames ``first .. first + len(gains)`` of a sentence."""

    first: int
    gains: np.ndarray


def finish_samples(
    samples: np.ndarray,
    hop_length: int,
    start_frame: int,
    gains: FrameGains | None,
    silences: list[tuple[int, int]],
) -> np.ndarray:
    """`Timeline.finish` on a piece that starts at ``start_frame``: ``gains`` (None: every
    volume is 1) must cover the piece's frames and one more on each side where the sentence
    has them (the gain is interpolated between frame centres), ``silences`` every pause that
    overlaps it. A piece's result equals the same samples of the whole sentence's."""
    out = samples.astype(np.float32, copy=True)
    offset = start_frame * hop_length
    if gains is not None and len(out):
        frame_gain = np.asarray(gains.gains, np.float64)
        centres = (np.arange(gains.first, gains.first + len(frame_gain)) + 0.5) * hop_length
        positions = offset + np.arange(len(out))
        out *= np.interp(positions, centres, frame_gain).astype(np.float32)
    for start, end in silences:
        lo, hi = max(start * hop_length - offset, 0), end * hop_length - offset
        if hi > 0:
            out[lo:hi] = 0.0
    return out


def _anchor(sentence: SentenceInput, lo: int, hi: int) -> int:
    """The silent structural symbol of a boundary that carries its pause frames."""
    for index in range(lo, hi):
        if sentence.phonemes[index] in _ANCHORS:
            return index
    return lo


def silence(
    before: np.ndarray | None, after: np.ndarray | None, frames: int, log_floor: float, like
) -> np.ndarray:
    """Mel frames [n_mels, frames] for a pause between the speech frames ``before`` and
    ``after`` ([n_mels], None at the sentence's ends): the log floor, except that the first
    and last repeat the speech next to them. ``like``: a mel of the sentence (rows, dtype).

    A mel frame's window spans four hops, so a silent frame next to speech makes the vocoder
    fade out (or in) the adjacent speech frame as well, eating into the word. Repeating the
    neighbour moves that fade into the pause's own edge frames, whose samples are then set to
    zero with the rest; measured on the default voice, the word's last frame keeps its level
    (-29.5 dB instead of -77.7 dB with a plain floor) and the pause edges are below -70 dBFS.
    """
    fill = np.full((like.shape[0], frames), log_floor, like.dtype)
    if frames >= 3 and before is not None:
        fill[:, 0] = before
    if frames >= 3 and after is not None:
        fill[:, -1] = after
    return fill


@dataclass(frozen=True)
class Placed:
    """An event at its anchor: the silent symbol that carries it, the pause frames of earlier
    events at the same anchor (``before``), and its own pause frames (0 for a mark)."""

    event: Pause | Mark
    anchor: int
    before: int
    frames: int

    @property
    def is_pause(self) -> bool:
        return isinstance(self.event, Pause)

    def timing(self, at: int, frame_seconds: float) -> BreakTiming | MarkTiming | None:
        """Its timing when it falls at frame ``at`` (None: a companion pause, which only
        removes the natural pause next to a break)."""
        event = self.event
        if isinstance(event, Pause):
            if event.companion:
                return None
            start, end = at * frame_seconds, (at + self.frames) * frame_seconds
            return BreakTiming(start, end, event.start_char, event.end_char)
        return MarkTiming(event.name, at * frame_seconds, event.start_char, event.end_char)


def place_events(
    sentence: SentenceInput, phonemes: int, frame_seconds: float
) -> tuple[list[Placed], np.ndarray]:
    """Where each event of the sentence goes, and the pause frames added to each phoneme
    ([T_ph]); neither depends on the durations, so a sentence whose durations arrive a
    window at a time (`emotts.synthesis.long_sentence`) is placed alike."""
    ranges = [(w.first_phoneme, w.last_phoneme_exclusive) for w in sentence.words]
    added = np.zeros(phonemes, np.int64)
    placed: list[Placed] = []
    for event in sentence.events:
        lo, hi = structural_range(event.boundary, ranges, phonemes)
        anchor = _anchor(sentence, lo, hi)
        frames = pause_frames(event.seconds, frame_seconds) if isinstance(event, Pause) else 0
        placed.append(Placed(event, anchor, int(added[anchor]), frames))
        added[anchor] += frames
    return placed, added


def lay_out(
    sentence: SentenceInput,
    durations: np.ndarray,
    mel: np.ndarray,
    log_floor: float,
    frame_seconds: float,
) -> Timeline:
    """Insert the sentence's pauses into its durations and mel; time its breaks and marks.

    durations: [T_ph] int frames from the acoustic model; mel: [80, sum(durations)].
    """
    durations = np.asarray(durations, np.int64).copy()
    volumes = np.asarray(sentence.volumes or np.ones(len(durations)), np.float32)
    if not sentence.events:
        return Timeline(durations, mel, [], [], [], volumes)
    placed, added = place_events(sentence, len(durations), frame_seconds)
    # (frame in the model's mel, frames) of each pause
    insertions = [(int(durations[: p.anchor].sum()), p.frames) for p in placed if p.is_pause]
    starts = np.concatenate([[0], np.cumsum(durations + added)[:-1]])
    breaks, marks, silences = [], [], []
    for one in placed:
        # The anchor's own frames (when no pause zeroed them) come before the next word.
        at = int(starts[one.anchor] + durations[one.anchor] + one.before)
        if one.is_pause:
            silences.append((at, at + one.frames))
        timing = one.timing(at, frame_seconds)
        if isinstance(timing, BreakTiming):
            breaks.append(timing)
        elif timing is not None:
            marks.append(timing)
    pieces, previous = [], 0
    for frame, frames in sorted(insertions):
        before = mel[:, frame - 1] if frame > 0 else None
        after = mel[:, frame] if frame < mel.shape[1] else None
        pieces += [mel[:, previous:frame], silence(before, after, frames, log_floor, mel)]
        previous = frame
    pieces.append(mel[:, previous:])
    return Timeline(
        durations + added, np.concatenate(pieces, axis=1), silences, breaks, marks, volumes
    )
