"""CPU seconds per second of audio of the synthetic corpus generator (load-independent).

Renders N utterances per RHVoice voice with one worker (in this process, RHVoice in child
processes) and reads the CPU time of both from getrusage, so the figure does not depend on
how busy a shared machine is; wall time is printed beside it.

    nice -n 10 python scripts/corpus_speed.py OUT_DIR [N]
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

from emotts.data.manifest import hours_by_speaker_and_split
from emotts.data.synthetic.generate import generate_corpus
from emotts.data.synthetic.plan import VOICES, SynthesisConfig


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", type=Path, help="corpus folder to write (a fresh one)")
    parser.add_argument("utterances", type=int, nargs="?", default=6, help="per voice")
    args = parser.parse_args()
    cfg = SynthesisConfig(out_dir=args.out, voices=VOICES, utterances=args.utterances, workers=1)
    wall = time.monotonic()
    generate_corpus(cfg, progress=False)
    wall = time.monotonic() - wall
    usages = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    cpu = sum(u.ru_utime + u.ru_stime for u in usages)
    table = hours_by_speaker_and_split(args.out / "manifest.jsonl")
    audio_s = table["all"]["all"] * 3600
    print(f"{len(VOICES) * args.utterances} utterances, {audio_s:.0f} s of audio")
    print(f"wall {wall:.0f} s, CPU {cpu:.0f} s: {cpu / audio_s:.3f} CPU-s per audio second")
    print(", ".join(f"{name} {row['all'] * 3600:.0f} s" for name, row in table.items()))


if __name__ == "__main__":
    main()
