"""One sentence's frames after the acoustic model: exact pauses, mark times and span volume.

SSML breaks are placed here, after the acoustic model and before the vocoder, so both
backends share them: the front-end gave the symbols at a break's word boundary no frames, and
:func:`lay_out` inserts exactly ``round(seconds / frame)`` silent mel frames there (see
:func:`_silence`), then :meth:`Timeline.finish` sets those samples to exact zeros. A pause is thus within half a frame (hop / sample rate / 2, 5.8 ms at
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
        out = samples.astype(np.float32, copy=True)
        offset = start_frame * hop_length
        if np.any(self.volumes != 1.0) and len(out):
            frame_gain = np.repeat(self.volumes, self.durations).astype(np.float64)
            centres = (np.arange(len(frame_gain)) + 0.5) * hop_length
            positions = offset + np.arange(len(out))
            out *= np.interp(positions, centres, frame_gain).astype(np.float32)
        for start, end in self.silences:
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


def _silence(mel: np.ndarray, frame: int, frames: int, log_floor: float) -> np.ndarray:
    """Mel frames for a pause inserted before ``frame``: the log floor, except that the first
    and last repeat the speech next to them.

    A mel frame's window spans four hops, so a silent frame next to speech makes the vocoder
    fade out (or in) the adjacent speech frame as well, eating into the word. Repeating the
    neighbour moves that fade into the pause's own edge frames, whose samples are then set to
    zero with the rest; measured on the default voice, the word's last frame keeps its level
    (-29.5 dB instead of -77.7 dB with a plain floor) and the pause edges are below -70 dBFS.
    """
    fill = np.full((mel.shape[0], frames), log_floor, mel.dtype)
    if frames >= 3 and frame > 0:
        fill[:, 0] = mel[:, frame - 1]
    if frames >= 3 and frame < mel.shape[1]:
        fill[:, -1] = mel[:, frame]
    return fill


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
    ranges = [(w.first_phoneme, w.last_phoneme_exclusive) for w in sentence.words]
    added = np.zeros_like(durations)
    insertions: list[tuple[int, int]] = []  # (frame in the model's mel, frames)
    pending: list[tuple[Pause | Mark, int, int]] = []  # event, anchor, frames before it there
    for event in sentence.events:
        lo, hi = structural_range(event.boundary, ranges, len(durations))
        anchor = _anchor(sentence, lo, hi)
        pending.append((event, anchor, int(added[anchor])))
        if isinstance(event, Pause):
            frames = pause_frames(event.seconds, frame_seconds)
            insertions.append((int(durations[:anchor].sum()), frames))
            added[anchor] += frames
    starts = np.concatenate([[0], np.cumsum(durations + added)[:-1]])
    breaks, marks, silences = [], [], []
    for event, anchor, before in pending:
        # The anchor's own frames (when no pause zeroed them) come before the next word.
        at = int(starts[anchor] + durations[anchor] + before)
        if isinstance(event, Pause):
            frames = pause_frames(event.seconds, frame_seconds)
            silences.append((at, at + frames))
            if event.companion:
                continue
            breaks.append(
                BreakTiming(
                    at * frame_seconds,
                    (at + frames) * frame_seconds,
                    event.start_char,
                    event.end_char,
                )
            )
        else:
            marks.append(
                MarkTiming(event.name, at * frame_seconds, event.start_char, event.end_char)
            )
    pieces, previous = [], 0
    for frame, frames in sorted(insertions):
        pieces += [mel[:, previous:frame], _silence(mel, frame, frames, log_floor)]
        previous = frame
    pieces.append(mel[:, previous:])
    return Timeline(
        durations + added, np.concatenate(pieces, axis=1), silences, breaks, marks, volumes
    )
