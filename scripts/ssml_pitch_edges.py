"""Measure F0 at SSML pitch span edges with hard steps and with ramps (issue 18).

For each sentence, a ``<prosody pitch="+4st">`` span is synthesized at every ramp width
(``pitch_ramp``, phonemes; 1 = hard step) and once without the span. On the F0 track (WORLD,
one value per mel frame) it reports, around each span edge (+-60 ms of the word boundary):

- the steepest F0 movement, in semitones per 10 ms between voiced frames at most 50 ms
  apart (the same window of the render without the span gives the voice's own movement);
- octave errors: steps of more than 9 semitones between neighbouring voiced frames;
- clicks: a sample-to-sample step within +-20 ms of the edge above 3 x the sentence's
  99.9th percentile step;

and, over the span's words and over the other words, the median F0 change against the render
without the span (must stay within 1 st of +4 and of 0). Usage:

    python scripts/ssml_pitch_edges.py [--voice DIR] [--widths 1,3,5,7] \
        [--plot docs/images/ssml_pitch_edges.png] [--json runs/pitch_edges.json]
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

# (before, span, after): the span gets pitch="+4st".
SENTENCES = (
    ("We were waiting", "near the river", "all evening."),
    ("I really", "love", "my new yellow umbrella."),
    ("Maybe we can", "run along the lane", "in the morning."),
    ("Her brother", "never", "remembered my name."),
    ("The lions", "were roaring", "all night long."),
    ("Our journey", "along the valley", "was longer than we planned."),
)
SHIFT = 4.0
EDGE_WINDOW = 0.060
CLICK_WINDOW = 0.020
MAX_GAP = 0.050
OCTAVE_STEP = 9.0


@dataclass
class EdgeReport:
    sentence: int
    width: int
    edge_slopes: list[float]  # st per 10 ms, one per edge
    plain_slopes: list[float]  # the same windows without the span
    octave_errors: int
    clicks: int
    span_median: float  # st against the render without the span
    rest_median: float


def document(before: str, span: str, after: str, shift: float = SHIFT) -> str:
    if shift == 0:
        return f"<speak>{before} {span} {after}</speak>"
    return f'<speak>{before} <prosody pitch="{shift:+g}st">{span}</prosody> {after}</speak>'


def semitones(f0: np.ndarray) -> np.ndarray:
    """Hz -> semitones re 100 Hz; NaN where unvoiced."""
    with np.errstate(divide="ignore"):
        return np.where(f0 > 0, 12 * np.log2(np.maximum(f0, 1e-9) / 100.0), np.nan)


def steepest(track: np.ndarray, frame: float, start: float, end: float) -> tuple[float, int]:
    """(max |slope| in st per 10 ms, octave errors) over voiced frames in [start, end]."""
    first, last = max(0, int(start / frame)), min(len(track), int(np.ceil(end / frame)) + 1)
    voiced = [i for i in range(first, last) if not np.isnan(track[i])]
    slope, octaves = 0.0, 0
    for a, b in zip(voiced, voiced[1:], strict=False):
        if (b - a) * frame > MAX_GAP:
            continue
        step = abs(track[b] - track[a])
        octaves += int(step > OCTAVE_STEP)
        slope = max(slope, step / ((b - a) * frame) * 0.010)
    return slope, octaves


def clicks(samples: np.ndarray, rate: int, times: list[float]) -> int:
    steps = np.abs(np.diff(samples))
    bar = 3 * np.percentile(steps, 99.9)
    count = 0
    for time in times:
        window = steps[
            max(0, int((time - CLICK_WINDOW) * rate)) : int((time + CLICK_WINDOW) * rate)
        ]
        count += int(window.size > 0 and window.max() > bar)
    return count


def span_medians(track, plain_track, words, plain_words, inside, frame) -> tuple[float, float]:
    def median(values, spans):
        picked = [values[int(w.start / frame) : int(np.ceil(w.end / frame))] for w in spans]
        joined = np.concatenate(picked) if picked else np.zeros(0)
        return float(np.nanmedian(joined)) if np.any(~np.isnan(joined)) else float("nan")

    outside = [i for i in range(len(words)) if i not in inside]
    span = median(track, [words[i] for i in inside]) - median(
        plain_track, [plain_words[i] for i in inside]
    )
    rest = median(track, [words[i] for i in outside]) - median(
        plain_track, [plain_words[i] for i in outside]
    )
    return span, rest


def measure(voice, widths: list[int]) -> tuple[list[EdgeReport], dict]:
    from emotts.audio.features import extract_f0

    frame = voice.audio_config.hop_length / voice.sample_rate
    reports, contours = [], {}
    for index, (before, span, after) in enumerate(SENTENCES):
        plain = voice.synthesize(document(before, span, after, 0.0))
        plain_track = semitones(extract_f0(plain.samples, voice.audio_config))
        inside = list(range(len(before.split()), len(before.split()) + len(span.split())))
        contours[index] = {"plain": (plain_track, plain.words, inside)}
        for width in widths:
            audio = voice.synthesize(document(before, span, after), pitch_ramp=width)
            track = semitones(extract_f0(audio.samples, voice.audio_config))
            contours[index][width] = (track, audio.words, inside)
            edges = [audio.words[inside[0]].start, audio.words[inside[-1]].end]
            plain_edges = [plain.words[inside[0]].start, plain.words[inside[-1]].end]
            measured = [steepest(track, frame, t - EDGE_WINDOW, t + EDGE_WINDOW) for t in edges]
            baseline = [
                steepest(plain_track, frame, t - EDGE_WINDOW, t + EDGE_WINDOW)[0]
                for t in plain_edges
            ]
            span_shift, rest_shift = span_medians(
                track, plain_track, audio.words, plain.words, inside, frame
            )
            reports.append(
                EdgeReport(
                    index,
                    width,
                    [round(float(s), 3) for s, _ in measured],
                    [round(float(s), 3) for s in baseline],
                    int(sum(o for _, o in measured)),
                    clicks(audio.samples, voice.sample_rate, edges),
                    round(float(span_shift), 3),
                    round(float(rest_shift), 3),
                )
            )
    return reports, contours


def summarize(reports: list[EdgeReport], widths: list[int]) -> dict[int, dict[str, float]]:
    summary = {}
    for width in widths:
        rows = [r for r in reports if r.width == width]
        slopes = [s for r in rows for s in r.edge_slopes]
        summary[width] = {
            "edge_slope_mean": round(float(np.mean(slopes)), 3),
            "edge_slope_max": round(float(np.max(slopes)), 3),
            "plain_slope_mean": round(float(np.mean([s for r in rows for s in r.plain_slopes])), 3),
            "octave_errors": sum(r.octave_errors for r in rows),
            "clicks": sum(r.clicks for r in rows),
            "span_median_min": round(min(r.span_median for r in rows), 3),
            "span_median_mean": round(float(np.mean([r.span_median for r in rows])), 3),
            "rest_median_max_abs": round(max(abs(r.rest_median) for r in rows), 3),
        }
    return summary


def plot(contours: dict, widths: list[int], frame: float, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    shown = list(contours)[:3]
    figure, axes = plt.subplots(len(shown), 1, figsize=(9, 2.6 * len(shown)), squeeze=False)
    for axis, index in zip(axes[:, 0], shown, strict=True):
        for key in ["plain", *widths]:
            track, words, inside = contours[index][key]
            times = np.arange(len(track)) * frame
            label = "no span" if key == "plain" else ("hard (1)" if key == 1 else f"ramp {key}")
            style = {"color": "0.6", "linestyle": ":"} if key == "plain" else {}
            axis.plot(times, track, label=label, linewidth=1.2, **style)
        _, words, inside = contours[index][widths[-1]]
        axis.axvspan(words[inside[0]].start, words[inside[-1]].end, color="C1", alpha=0.08)
        before, span, after = SENTENCES[index]
        axis.set_title(f"{before} [+4st: {span}] {after}", fontsize=9)
        axis.set_ylabel("F0 (st re 100 Hz)")
    axes[-1, 0].set_xlabel("time (s)")
    axes[0, 0].legend(fontsize=8, ncol=len(widths) + 1)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--voice", default=None, help="voice directory (default: shipped voice)")
    parser.add_argument("--widths", default="1,3,5,7", help="ramp widths in phonemes")
    parser.add_argument("--plot", type=Path, default=None, help="write the F0 contours here")
    parser.add_argument("--json", type=Path, default=None, help="write every measurement here")
    args = parser.parse_args()
    from emotts.backends import load_voice
    from emotts.voices import resolve_voice

    widths = [int(w) for w in args.widths.split(",")]
    voice = load_voice(resolve_voice(args.voice), backend="torch")
    reports, contours = measure(voice, widths)
    summary = summarize(reports, widths)
    for width, row in summary.items():
        print(f"width {width}: " + ", ".join(f"{k} {v}" for k, v in row.items()))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        data = {"summary": summary, "sentences": [asdict(r) for r in reports]}
        args.json.write_text(json.dumps(data, indent=1))
    if args.plot:
        frame = voice.audio_config.hop_length / voice.sample_rate
        plot(contours, widths, frame, args.plot)


if __name__ == "__main__":
    main()
