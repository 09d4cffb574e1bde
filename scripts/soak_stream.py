"""Soak: stream text for a long time through `voice.stream()` and watch memory and the audio.

Text comes from the LJSpeech transcripts (``--corpus``), sentences taken in order and cycled,
so the stream never runs out; the whole text is given to ONE ``stream()`` call (which must
prepare it lazily). Audio is consumed as it comes, paced at real time unless ``--no-pace``
(a player keeps at most ``--lead`` seconds buffered). Resident memory (VmRSS) is sampled every
``--sample-every`` seconds of audio and written to a CSV; a plot goes to ``--plot``.

Audio checks on every join between streamed pieces: no gap (a run of exact zeros across the
join longer than ``GAP_MS``, plain text has no breaks), no click (the sample step at the join
more than ``CLICK_FACTOR`` times the largest step in the 20 ms around it and above
``CLICK_FLOOR``); the total duration equals the samples streamed and the timings' clock.

    nice -n 10 python scripts/soak_stream.py --seconds 3600 --csv runs/soak/rss.csv \\
        --plot docs/images/soak_rss.png --summary runs/soak/summary.json

Prints a JSON summary (also written to ``--summary``); exit code 1 if a check fails.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run from a checkout without installing

DEFAULT_CORPUS = Path("/work/shared/corpora/ljspeech_transcripts.csv")
GAP_MS = 10.0
CLICK_FACTOR = 4.0
CLICK_FLOOR = 0.05
# Characters of text per second of speech are about 15 on LJSpeech; 25 leaves a margin.
CHARS_PER_SECOND = 25


def rss_mb() -> float:
    """This process's resident set size in MB (VmRSS from /proc)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def corpus_sentences(path: Path) -> list[str]:
    """Normalized transcripts of an LJSpeech-style ``id|text|normalized`` file."""
    sentences = []
    for line in path.read_text(encoding="utf-8").splitlines():
        fields = line.split("|")
        if len(fields) >= 3 and fields[2].strip():
            text = fields[2].strip()
            sentences.append(text if text[-1] in ".!?" else text + ".")
    if not sentences:
        raise SystemExit(f"no sentences in {path}")
    return sentences


def soak_text(sentences: list[str], seconds: float, start: int = 0) -> tuple[str, int]:
    """Enough text for ``seconds`` of speech, cycling ``sentences`` from index ``start``;
    and the index to continue from."""
    chosen, size, index = [], 0, start
    for sentence in itertools.islice(itertools.cycle(sentences), start, None):
        chosen.append(sentence)
        size += len(sentence) + 1
        index += 1
        if size >= seconds * CHARS_PER_SECOND:
            break
    return " ".join(chosen), index % len(sentences)


class JoinChecker:
    """Gaps and clicks at the joins between consecutive pieces (keeps 20 ms of each end)."""

    def __init__(self, sample_rate: int) -> None:
        self.edge = int(sample_rate * 0.02)
        self.gap = int(sample_rate * GAP_MS / 1000)
        self.tail = np.zeros(0, np.float32)
        self.joins = self.clicks = self.gaps = 0
        self.worst_ratio = 0.0
        self.problems: list[str] = []

    def add(self, samples: np.ndarray, at_seconds: float) -> None:
        if len(self.tail) and len(samples):
            self.joins += 1
            window = np.concatenate([self.tail, samples[: self.edge]])
            steps = np.abs(np.diff(window))
            join = len(self.tail) - 1  # step from the last old sample to the first new one
            around = np.delete(steps, join)
            ratio = float(steps[join] / max(float(around.max(initial=0.0)), 1e-9))
            if steps[join] > CLICK_FLOOR and ratio > CLICK_FACTOR:
                self.clicks += 1
                self.problems.append(f"click at {at_seconds:.3f} s (step {steps[join]:.3f})")
            if steps[join] > CLICK_FLOOR:
                self.worst_ratio = max(self.worst_ratio, ratio)
            zeros = _zero_run_across(window, join + 1)
            if zeros >= self.gap:
                self.gaps += 1
                self.problems.append(f"gap of {zeros} zero samples at {at_seconds:.3f} s")
        if len(samples):
            self.tail = np.concatenate([self.tail, samples])[-self.edge :]


def _zero_run_across(window: np.ndarray, at: int) -> int:
    """Length of the run of exact zeros that touches both sides of index ``at``."""
    if at == 0 or at >= len(window) or window[at - 1] != 0 or window[at] != 0:
        return 0
    left = at - 1
    while left > 0 and window[left - 1] == 0:
        left -= 1
    right = at
    while right + 1 < len(window) and window[right + 1] == 0:
        right += 1
    return right - left + 1


def soak(args: argparse.Namespace) -> dict:
    import emotts
    from emotts.synthesis.result import Timeline

    started = time.monotonic()
    voice = emotts.load_voice(args.voice, vocoder=args.vocoder, threads=args.threads)
    sentences = corpus_sentences(args.corpus)
    rows: list[tuple[float, float, float]] = []  # wall s, audio s, rss MB
    checker = JoinChecker(voice.sample_rate)
    timeline = Timeline(voice.sample_rate)
    streamed = pieces = calls = 0
    next_sample, begin, first_audio = 0.0, time.monotonic(), None
    position = 0
    while streamed / voice.sample_rate < args.seconds:
        remaining = args.seconds - streamed / voice.sample_rate
        text, position = soak_text(sentences, remaining, position)
        calls += 1
        for part in voice.stream(text, args.emotion):
            if first_audio is None:
                first_audio = time.monotonic() - begin
            checker.add(part.samples, streamed / voice.sample_rate)
            timeline.append(part)
            streamed += len(part.samples)
            pieces += 1
            audio_s = streamed / voice.sample_rate
            if audio_s >= next_sample:
                rows.append((time.monotonic() - begin, audio_s, rss_mb()))
                next_sample += args.sample_every
            if not args.no_pace:
                ahead = audio_s - (time.monotonic() - begin)
                if ahead > args.lead:
                    time.sleep(ahead - args.lead)
            if audio_s >= args.seconds:
                break
    rows.append((time.monotonic() - begin, streamed / voice.sample_rate, rss_mb()))
    words = timeline.words
    monotone = all(b.start >= a.start for a, b in zip(words, words[1:], strict=False))
    after = [r for r in rows if r[1] >= args.warmup] or rows[-1:]
    summary = {
        "command": " ".join(sys.argv),
        "vocoder": args.vocoder or "voice default",
        "audio_seconds": streamed / voice.sample_rate,
        "wall_seconds": time.monotonic() - begin,
        "load_seconds": begin - started,
        "first_audio_seconds": first_audio,
        "paced": not args.no_pace,
        "stream_calls": calls,
        "pieces": pieces,
        "joins": checker.joins,
        "clicks": checker.clicks,
        "gaps": checker.gaps,
        "worst_join_step_ratio": round(checker.worst_ratio, 3),
        "problems": checker.problems[:20],
        "timeline_seconds": timeline.duration,
        "duration_matches": timeline.samples == streamed,
        "words": len(words),
        "words_monotone": monotone,
        # The stream is stopped mid-sentence, so the last word may end after the audio.
        "last_word_start": words[-1].start if words else 0.0,
        "warmup_seconds": args.warmup,
        "rss_at_warmup_mb": round(after[0][2], 1),
        "rss_max_after_warmup_mb": round(max(r[2] for r in after), 1),
        "rss_delta_after_warmup_mb": round(max(r[2] for r in after) - after[0][2], 1),
        "rss_end_mb": round(rows[-1][2], 1),
        "rss_peak_mb": round(max(r[2] for r in rows), 1),
    }
    summary["ok"] = bool(
        summary["clicks"] == 0
        and summary["gaps"] == 0
        and summary["duration_matches"]
        and monotone
        and summary["last_word_start"] <= summary["timeline_seconds"]
    )
    if args.csv:
        args.csv.parent.mkdir(parents=True, exist_ok=True)
        with args.csv.open("w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["wall_seconds", "audio_seconds", "rss_mb"])
            writer.writerows([(f"{w:.2f}", f"{a:.2f}", f"{r:.1f}") for w, a, r in rows])
    if args.plot:
        plot(rows, args.plot, summary)
    return summary


def plot(rows: list[tuple[float, float, float]], path: Path, summary: dict) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    audio = [r[1] / 60 for r in rows]
    rss = [r[2] for r in rows]
    fig, ax = plt.subplots(figsize=(8, 3.5))
    ax.plot(audio, rss, lw=1.2)
    ax.axvline(summary["warmup_seconds"] / 60, color="grey", ls=":", label="end of warm-up")
    ax.set_xlabel("audio streamed (minutes)")
    ax.set_ylabel("resident memory (MB)")
    ax.set_title(
        f"stream() soak, {summary['vocoder']}: RSS delta after warm-up "
        f"{summary['rss_delta_after_warmup_mb']:+.1f} MB"
    )
    ax.set_ylim(0, max(rss) * 1.15)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=3600.0, help="audio seconds to stream")
    parser.add_argument("--voice", default=None)
    parser.add_argument("--vocoder", default="vocos-emotts")
    parser.add_argument("--emotion", default=None)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--no-pace", action="store_true", help="do not pace at real time")
    parser.add_argument("--lead", type=float, default=2.0, help="seconds buffered ahead (paced)")
    parser.add_argument("--sample-every", type=float, default=5.0, help="audio seconds per sample")
    parser.add_argument("--warmup", type=float, default=300.0, help="audio seconds of warm-up")
    parser.add_argument("--csv", type=Path)
    parser.add_argument("--plot", type=Path)
    parser.add_argument("--summary", type=Path)
    args = parser.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", str(args.threads))
    summary = soak(args)
    text = json.dumps(summary, indent=2)
    print(text)
    if args.summary:
        args.summary.parent.mkdir(parents=True, exist_ok=True)
        args.summary.write_text(text + "\n")
    return 0 if summary["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
