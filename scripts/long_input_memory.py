"""Peak resident memory of `emotts synth -o` on long text without punctuation.

Each length runs `python -m emotts synth` in its own subprocess (so nothing is shared between
runs) and reads that child's peak RSS (``ru_maxrss`` from ``os.wait4``). The text is words
from the LJSpeech transcripts (``--corpus``) with every punctuation mark removed: one sentence
of N characters, the worst case for the front-end and the acoustic model.

    nice -n 10 python scripts/long_input_memory.py --chars 1000 4000 15000 \\
        --vocoder vocos-emotts --out runs/long_input/figures.json

Prints one line per length (chars, peak MB, audio seconds, wall seconds) and a JSON summary.
``--max-growth MB`` makes it a check (issue 19): it exits 1 when the peak of the longest text
exceeds that of the shortest by MB or more, e.g. one sentence of 15,000 vs 60,000 characters
on a tiny voice (`make_untrained_voice`):

    OMP_NUM_THREADS=1 nice -n 10 python scripts/long_input_memory.py --chars 15000 60000 \\
        --voice VOICE_DIR --max-growth 75
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import soundfile

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = Path("/work/shared/corpora/ljspeech_transcripts.csv")
_FALLBACK = (
    "printing in the only sense with which we are at present concerned differs from most "
    "if not from all the arts and crafts represented in the exhibition"
)


def unpunctuated_text(chars: int, corpus: Path | None = DEFAULT_CORPUS) -> str:
    """``chars`` characters of lower-case words, no punctuation (one long sentence)."""
    source = _FALLBACK
    if corpus is not None and corpus.exists():
        lines = corpus.read_text(encoding="utf-8").splitlines()[:2000]
        source = " ".join(line.split("|")[-1] for line in lines)
    words = re.sub(r"[^a-z ]+", " ", source.lower()).split()
    out, size, index = [], 0, 0
    while size < chars:
        word = words[index % len(words)]
        out.append(word)
        size += len(word) + 1
        index += 1
    return " ".join(out)[:chars].rstrip()


def run_peak_rss(
    command: list[str], env: dict[str, str], timeout: float, cwd: Path | None = None
) -> tuple[int, float, float, str]:
    """Run ``command`` to its end (killed after ``timeout`` s): its exit status, peak RSS in MB
    (``ru_maxrss`` of that child from ``os.wait4``), wall seconds and stderr. stderr goes to a
    file: a child that writes more than a pipe holds would otherwise stall."""
    with tempfile.TemporaryFile() as log:
        started = time.monotonic()
        child = subprocess.Popen(command, env=env, stderr=log, stdout=subprocess.DEVNULL, cwd=cwd)
        deadline = started + timeout
        while True:
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                child.kill()
                pid, status, usage = os.wait4(child.pid, 0)
                break
            time.sleep(0.2)
        wall = time.monotonic() - started
        log.seek(0)
        stderr = log.read().decode(errors="replace")
    # ru_maxrss is in KB on Linux.
    return os.waitstatus_to_exitcode(status), round(usage.ru_maxrss / 1024, 1), wall, stderr


def measure(
    chars: int,
    voice: str | None = None,
    vocoder: str | None = None,
    corpus: Path | None = DEFAULT_CORPUS,
    threads: int = 1,
    timeout: float = 3600,
) -> dict:
    """Run `emotts synth -o` on ``chars`` characters; its peak RSS, audio length and time."""
    with tempfile.TemporaryDirectory() as folder:
        text_file = Path(folder) / "text.txt"
        text_file.write_text(unpunctuated_text(chars, corpus), encoding="utf-8")
        wav = Path(folder) / "out.wav"
        command = [sys.executable, "-m", "emotts", "synth", "-i", str(text_file), "-o", str(wav)]
        command += ["--threads", str(threads)]
        if voice:
            # The child runs in ROOT (below): a voice folder given relative to here.
            command += ["--voice", str(Path(voice).resolve()) if Path(voice).exists() else voice]
        if vocoder:
            command += ["--vocoder", vocoder]
        env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": str(threads)}
        # cwd=ROOT: `python -m` puts the working folder first on sys.path, ahead of PYTHONPATH,
        # so run from another checkout it would measure that checkout's emotts.
        code, peak, wall, stderr = run_peak_rss(command, env, timeout, cwd=ROOT)
        seconds = soundfile.info(str(wav)).duration if code == 0 and wav.exists() else None
    return {
        "chars": chars,
        "peak_rss_mb": peak,
        "audio_seconds": None if seconds is None else round(seconds, 1),
        "wall_seconds": round(wall, 1),
        "exit_code": code,
        "stderr_tail": stderr[-400:] if code else "",
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chars", type=int, nargs="+", default=[1000, 4000, 15000])
    parser.add_argument("--voice")
    parser.add_argument("--vocoder")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--out", type=Path, help="write the figures as JSON here")
    parser.add_argument(
        "--max-growth",
        type=float,
        metavar="MB",
        help="fail (exit 1) when the longest text's peak RSS exceeds the shortest's by MB or more",
    )
    args = parser.parse_args()
    if args.max_growth is not None and (args.max_growth <= 0 or len(args.chars) < 2):
        parser.error("--max-growth takes a number of MB > 0 and needs at least two --chars")
    results = []
    for chars in args.chars:
        result = measure(chars, args.voice, args.vocoder, args.corpus, args.threads)
        results.append(result)
        print(
            f"{chars:>6} chars: peak RSS {result['peak_rss_mb']:7.1f} MB, audio "
            f"{result['audio_seconds']} s, wall {result['wall_seconds']} s, "
            f"exit {result['exit_code']}",
            flush=True,
        )
    summary = {"command": " ".join(sys.argv), "vocoder": args.vocoder, "runs": results}
    ok = all(r["exit_code"] == 0 for r in results)
    if args.max_growth is not None:
        growth = peak_growth(results)
        summary["growth_mb"], summary["max_growth_mb"] = growth, args.max_growth
        ok = ok and growth < args.max_growth
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(summary, indent=2) + "\n")
    print(json.dumps(summary, indent=2))
    return 0 if ok else 1


def peak_growth(results: list[dict]) -> float:
    """Peak RSS of the longest text minus that of the shortest, in MB."""
    shortest = min(results, key=lambda r: r["chars"])
    longest = max(results, key=lambda r: r["chars"])
    return round(longest["peak_rss_mb"] - shortest["peak_rss_mb"], 1)


if __name__ == "__main__":
    sys.exit(main())
