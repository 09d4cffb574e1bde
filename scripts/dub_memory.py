"""Peak resident memory of `emotts dub -o` on subtitle files of N cues.

Each size runs `python -m emotts dub` in its own subprocess (nothing shared between runs) and
reads that child's peak RSS (``ru_maxrss`` from ``os.wait4``). The SRT has one cue every
``--spacing`` seconds (a window of 80 % of it), sentences taken in turn from the LJSpeech
transcripts (``--corpus``, else a fixed list); ``--bed`` adds a 44.1 kHz bed the length of
the track (read block-wise and resampled), ducked under speech. ``--root`` runs another code
tree (e.g. an export of an older commit) for a before/after comparison.

    nice -n 10 python scripts/dub_memory.py --cues 50 400 1600 --vocoder vocos-emotts \\
        --out runs/dub_memory/figures.json

Prints one line per size (cues, peak MB, track seconds, wall seconds) and a JSON summary.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

import numpy as np
import soundfile

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = Path("/work/shared/corpora/ljspeech_transcripts.csv")
_FALLBACK = (
    "Printing, in the only sense with which we are at present concerned, differs from most arts.",
    "[happy] What a wonderful morning it is!",
    "No.",
    "[sad; intensity=0.6] They never came back to the old house by the river.",
    "Where are you going at this hour?",
)


def _long_input_memory():
    """The sibling script, for its subprocess runner (loaded by path: scripts/ is no package)."""
    spec = importlib.util.spec_from_file_location(
        "long_input_memory", Path(__file__).with_name("long_input_memory.py")
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _sentences(corpus: Path | None) -> list[str]:
    if corpus is not None and corpus.exists():
        lines = corpus.read_text(encoding="utf-8").splitlines()[:500]
        found = [line.split("|")[-1].strip() for line in lines]
        found = [s for s in found if 10 <= len(s) <= 120]
        if found:
            return found
    return list(_FALLBACK)


def _stamp(seconds: float) -> str:
    whole = timedelta(seconds=round(seconds, 3))
    hours, rest = divmod(whole.seconds + whole.days * 86400, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours:02d}:{minutes:02d}:{secs:02d},{whole.microseconds // 1000:03d}"


def subtitles(cues: int, spacing: float = 3.0, corpus: Path | None = DEFAULT_CORPUS) -> str:
    """An SRT of ``cues`` cues, one every ``spacing`` s, each window 80 % of it."""
    sentences = _sentences(corpus)
    blocks = []
    for index in range(cues):
        start = 0.5 + index * spacing
        end = start + 0.8 * spacing
        text = sentences[index % len(sentences)]
        blocks.append(f"{index + 1}\n{_stamp(start)} --> {_stamp(end)}\n{text}\n")
    return "\n".join(blocks)


def _write_bed(path: Path, seconds: float) -> None:
    """A quiet noise-and-tone bed at 44.1 kHz, written in pieces (never whole in memory)."""
    rate, piece = 44100, 44100 * 10
    rng = np.random.default_rng(0)
    total = round(seconds * rate)
    with soundfile.SoundFile(path, "w", rate, 1, subtype="PCM_16") as out:
        for begin in range(0, total, piece):
            t = np.arange(begin, min(total, begin + piece)) / rate
            out.write(0.05 * np.sin(2 * np.pi * 110 * t) + 0.02 * rng.standard_normal(len(t)))


def measure(
    cues: int,
    voice: str | None = None,
    vocoder: str | None = None,
    corpus: Path | None = DEFAULT_CORPUS,
    spacing: float = 3.0,
    bed: bool = False,
    root: Path = ROOT,
    threads: int = 1,
    timeout: float = 3600,
    keep: Path | None = None,
) -> dict:
    """Run `emotts dub -o` on ``cues`` generated cues; its peak RSS, track length and time.
    ``keep``: copy the track there (to compare it with another rendering)."""
    with tempfile.TemporaryDirectory() as folder:
        srt = Path(folder) / "cues.srt"
        srt.write_text(subtitles(cues, spacing, corpus), encoding="utf-8")
        wav = Path(folder) / "out.wav"
        command = [sys.executable, "-m", "emotts", "dub", str(srt), "-o", str(wav)]
        command += ["--threads", str(threads), "--no-progress", "--allow-skips"]
        if voice:
            # The child runs in ``root`` (below): a voice folder given relative to here.
            command += ["--voice", str(Path(voice).resolve()) if Path(voice).exists() else voice]
        if vocoder:
            command += ["--vocoder", vocoder]
        if bed:
            bed_path = Path(folder) / "bed.wav"
            _write_bed(bed_path, 0.5 + cues * spacing + 1.0)
            command += ["--bed", str(bed_path), "--duck", "9"]
        env = {**os.environ, "PYTHONPATH": str(root), "OMP_NUM_THREADS": str(threads)}
        # cwd=root: `python -m` puts the working folder first on sys.path, ahead of PYTHONPATH,
        # so run from anywhere else it could import that folder's emotts instead of root's.
        code, peak, wall, stderr = _long_input_memory().run_peak_rss(
            command, env, timeout, cwd=root
        )
        seconds = soundfile.info(str(wav)).duration if code == 0 and wav.exists() else None
        if keep is not None and code == 0:
            keep.write_bytes(wav.read_bytes())
    return {
        "cues": cues,
        "peak_rss_mb": peak,
        "track_seconds": None if seconds is None else round(seconds, 1),
        "wall_seconds": round(wall, 1),
        "exit_code": code,
        "stderr_tail": stderr[-400:] if code else "",
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cues", type=int, nargs="+", default=[50, 400, 1600])
    parser.add_argument("--voice")
    parser.add_argument("--vocoder")
    parser.add_argument("--spacing", type=float, default=3.0, help="seconds between cues")
    parser.add_argument("--bed", action="store_true", help="mix over a 44.1 kHz bed, ducked")
    parser.add_argument("--root", type=Path, default=ROOT, help="code tree to run")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--out", type=Path, help="write the figures as JSON here")
    args = parser.parse_args()
    results = []
    for cues in args.cues:
        result = measure(
            cues,
            args.voice,
            args.vocoder,
            args.corpus,
            args.spacing,
            args.bed,
            args.root,
            args.threads,
        )
        results.append(result)
        print(
            f"{cues:>6} cues: peak RSS {result['peak_rss_mb']:7.1f} MB, track "
            f"{result['track_seconds']} s, wall {result['wall_seconds']} s, "
            f"exit {result['exit_code']}",
            flush=True,
        )
    summary = {
        "command": " ".join(sys.argv),
        "root": str(args.root),
        "vocoder": args.vocoder,
        "bed": args.bed,
        "runs": results,
    }
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(summary, indent=2) + "\n")
    print(json.dumps(summary, indent=2))
    return 0 if all(r["exit_code"] == 0 for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
