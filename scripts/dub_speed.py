"""Time `emotts dub` on an N-cue subtitle file, as a multiple of the speech it produces.

    PYTHONPATH=$PWD python scripts/dub_speed.py [--voice DIR] [--cues 100] [--threads 1]
        [--baseline N] [--film-minutes 90]

Cues are the evaluation sentences, one per cue, each window 20% longer than a rough length
estimate, so natural fit mostly keeps natural speed (as in real subtitles). Prints the dub time
(wall and CPU) and its ratio to the total speech duration, split into acoustic model, vocoder
and the rest (reading cues, fitting, mixing); then the same for the same cues synthesized one at
a time with `Voice.synthesize` (the synthesis itself; --baseline N times only the first N,
0 skips it). At one thread the process CPU time is the compute cost even on a busy machine, so
the CPU ratios are the figures to compare. --film-minutes M also times the track assembly alone
(placement, bed with ducking, limiter) for an M-minute film of speech-like noise.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import torch

from emotts.api import Voice
from emotts.dubbing import Cue, Dubber

SENTENCES = Path(__file__).resolve().parents[1] / "emotts" / "eval" / "data" / "sentences.txt"
SECONDS_PER_CHARACTER = 0.075  # rough speaking rate, only to size the cue windows
GAP_SECONDS = 0.4


def make_cues(count: int) -> list[Cue]:
    lines = [line.strip() for line in SENTENCES.read_text(encoding="utf-8").splitlines()]
    lines = [line for line in lines if line and not line.startswith("#")]
    cues, start = [], 0.5
    for number in range(1, count + 1):
        text = lines[(number - 1) % len(lines)]
        window = 1.2 * SECONDS_PER_CHARACTER * len(text)
        cues.append(Cue(number, start, start + window, text))
        start += window + GAP_SECONDS
    return cues


class StageClock:
    """CPU seconds spent in the voice's acoustic model and vocoder (wraps the two methods)."""

    def __init__(self, voice) -> None:
        self.seconds = {"acoustic": 0.0, "vocoder": 0.0}
        for stage, name in (("acoustic", "run_acoustic"), ("vocoder", "vocode")):
            setattr(voice, name, self._timed(stage, getattr(voice, name)))

    def _timed(self, stage: str, method):
        def timed(*args, **kwargs):
            began = time.process_time()
            try:
                return method(*args, **kwargs)
            finally:
                self.seconds[stage] += time.process_time() - began

        return timed

    def reset(self) -> None:
        self.seconds = dict.fromkeys(self.seconds, 0.0)


def _print_run(name: str, wall: float, cpu: float, speech: float, stages: dict) -> None:
    rest = cpu - sum(stages.values())
    print(f"{name}: {wall:.1f} s wall = {wall / speech:.3f} x the speech duration")
    print(
        f"{name}: {cpu:.1f} s CPU = {cpu / speech:.3f} x the speech duration "
        f"(acoustic {stages['acoustic']:.1f} s, vocoder {stages['vocoder']:.1f} s, "
        f"rest {rest:.1f} s)"
    )


def _time_assembly(voice, minutes: float) -> None:
    """Track assembly at film scale: one 3 s line every 4 s, on a bed, ducked, limited."""
    rate = voice.sample_rate
    rng = np.random.default_rng(0)
    line = (0.5 * rng.standard_normal(3 * rate)).astype(np.float32)
    count = int(minutes * 60 / 4)
    starts = [4 * rate * i for i in range(count)]
    from emotts.dubbing.mixing import duck_gain, limit_peaks, place

    length = starts[-1] + len(line)
    began = time.process_time()
    dialogue = place(length, [(start, line) for start in starts])
    bed = 0.1 * np.ones(length, np.float32)
    bed *= duck_gain(length, [(s, s + len(line)) for s in starts], rate, 12.0)
    limit_peaks(dialogue + bed, rate)
    cpu = time.process_time() - began
    print(f"assembly of a {minutes:g}-minute track ({count} lines, bed, ducking): {cpu:.1f} s CPU")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--voice", help="voice directory (default: the shipped default voice)")
    parser.add_argument("--cues", type=int, default=100)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument(
        "--baseline", type=int, help="cues to synthesize one at a time (default: all; 0: none)"
    )
    parser.add_argument("--film-minutes", type=float, default=0.0)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    voice = Voice.load(args.voice, threads=args.threads)
    voice.synthesize("Warm up.")
    clock = StageClock(voice)
    cues = make_cues(args.cues)
    clock.reset()
    began, began_cpu = time.perf_counter(), time.process_time()
    track = Dubber(voice).render(cues)
    wall, cpu = time.perf_counter() - began, time.process_time() - began_cpu
    speech = sum(rendered.audio.duration for rendered in track.cues)
    print(f"voice: {args.voice or 'default'}, threads: {args.threads}, cues: {len(cues)}")
    print(f"track {track.duration:.1f} s, speech {speech:.1f} s, skipped {len(track.skipped)}")
    _print_run("dub", wall, cpu, speech, clock.seconds)
    count = len(cues) if args.baseline is None else args.baseline
    if count:
        clock.reset()
        began, began_cpu, audio = time.perf_counter(), time.process_time(), 0.0
        for cue in cues[:count]:
            audio += voice.synthesize(cue.text).duration
        wall, cpu = time.perf_counter() - began, time.process_time() - began_cpu
        print(f"synthesize one by one: {count} cues, speech {audio:.1f} s")
        _print_run("synthesize", wall, cpu, audio, clock.seconds)
    if args.film_minutes:
        _time_assembly(voice, args.film_minutes)


if __name__ == "__main__":
    main()
