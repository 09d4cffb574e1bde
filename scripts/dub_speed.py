"""Time `emotts dub` on a 100-cue subtitle file, as a multiple of the speech it produces.

    PYTHONPATH=$PWD python scripts/dub_speed.py [--voice DIR] [--cues 100] [--threads 1]
        [--baseline 20]

Cues are the evaluation sentences, one per cue, each window 20% longer than a rough length
estimate, so natural fit mostly keeps natural speed (as in real subtitles). Prints the dub time
(wall and CPU), the total speech duration and their ratio; with --baseline N, also the same ratio for N of the
cues synthesized one at a time with `Voice.synthesize` (the synthesis itself), for comparison.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--voice", help="voice directory (default: the shipped default voice)")
    parser.add_argument("--cues", type=int, default=100)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--baseline", type=int, default=0, help="cues to time one at a time")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    voice = Voice.load(args.voice, threads=args.threads)
    voice.synthesize("Warm up.")
    cues = make_cues(args.cues)
    began, began_cpu = time.perf_counter(), time.process_time()
    track = Dubber(voice).render(cues)
    seconds, cpu = time.perf_counter() - began, time.process_time() - began_cpu
    speech = sum(rendered.audio.duration for rendered in track.cues)
    print(f"voice: {args.voice or 'default'}, threads: {args.threads}, cues: {len(cues)}")
    print(f"track {track.duration:.1f} s, speech {speech:.1f} s, skipped {len(track.skipped)}")
    print(f"dub: {seconds:.1f} s wall = {seconds / speech:.3f} x the speech duration")
    # At one thread the process's CPU time is the compute cost even on a busy machine.
    print(f"dub: {cpu:.1f} s CPU = {cpu / speech:.3f} x the speech duration")
    if args.baseline:
        began, audio = time.process_time(), 0.0
        for cue in cues[: args.baseline]:
            audio += voice.synthesize(cue.text).duration
        single = time.process_time() - began
        print(
            f"synthesize one by one ({args.baseline} cues): {single:.1f} s CPU for {audio:.1f} s "
            f"= {single / audio:.3f} x the speech duration"
        )


if __name__ == "__main__":
    main()
