"""Matplotlib pictures for the page: the mel spectrogram, the F0 contour, small multiples.

Figures are drawn with the object-oriented API on an Agg canvas (never pyplot), because the
server renders from several worker threads and pyplot's global figure state is not thread-safe.
Each function returns an RGB image array that `gr.Image` shows as it is.
"""

from __future__ import annotations

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from emotts.demo.spans import EmotionSpan
from emotts.synthesis.result import WordTiming

# One colour per canonical label, so a label looks the same in every plot; ADV spans (no
# label) use a colour no label has.
LABEL_COLOURS = {
    "neutral": "#9e9e9e",
    "happy": "#f4b400",
    "angry": "#db4437",
    "sad": "#4285f4",
    "surprised": "#ff8f00",
    "fearful": "#8e44ad",
    "disgusted": "#0f9d58",
}
ADV_COLOUR = "#00acc1"
_DPI = 100


def _to_array(figure: Figure) -> np.ndarray:
    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba())[..., :3].copy()


def _frame_times(frames: int, hop_length: int, sample_rate: int) -> np.ndarray:
    """Centre time of each mel frame in seconds (frame i covers [i, i+1) hops)."""
    return (np.arange(frames) + 0.5) * hop_length / sample_rate


def _mark_words(axis, words: list[WordTiming]) -> None:
    """Faint word boundaries with each word written above the plot."""
    for word in words:
        axis.axvline(word.start, color="0.35", linewidth=0.6, linestyle=":")
        axis.text(
            (word.start + word.end) / 2,
            1.01,
            word.word,
            transform=axis.get_xaxis_transform(),
            ha="center",
            va="bottom",
            fontsize=8,
            rotation=30,
            clip_on=False,
        )


def mel_image(
    mel: np.ndarray, hop_length: int, sample_rate: int, words: list[WordTiming] = ()
) -> np.ndarray:
    """The [80, T] log-mel as a picture with time in seconds and word boundaries."""
    figure = Figure(figsize=(9, 3.2), dpi=_DPI, layout="constrained")
    axis = figure.add_subplot()
    seconds = mel.shape[1] * hop_length / sample_rate
    shown = axis.imshow(
        mel,
        origin="lower",
        aspect="auto",
        cmap="magma",
        extent=(0, seconds, 0, mel.shape[0]),
    )
    figure.colorbar(shown, ax=axis, label="log magnitude", pad=0.01)
    _mark_words(axis, words)
    axis.set_title("Mel spectrogram", pad=22)
    axis.set_xlabel("time (s)")
    axis.set_ylabel("mel band")
    return _to_array(figure)


def f0_image(
    f0: np.ndarray,
    hop_length: int,
    sample_rate: int,
    spans: list[EmotionSpan] = (),
    words: list[WordTiming] = (),
    utterance_emotion: str = "",
) -> np.ndarray:
    """F0 in Hz over time (unvoiced frames left as gaps), marked-up emotion spans shaded."""
    figure = Figure(figsize=(9, 3.2), dpi=_DPI, layout="constrained")
    axis = figure.add_subplot()
    times = _frame_times(len(f0), hop_length, sample_rate)
    voiced = np.where(f0 > 0, f0, np.nan)
    axis.plot(times, voiced, color="black", linewidth=1.6, label="F0 (voiced frames)")
    handles = [axis.lines[0]]
    seen: set[str] = set()
    for span in spans:
        colour = LABEL_COLOURS.get(span.dominant_label or "", ADV_COLOUR)
        axis.axvspan(span.start, span.end, color=colour, alpha=0.25)
        if span.name not in seen:
            seen.add(span.name)
            handles.append(Patch(color=colour, alpha=0.4, label=f"<emotion> {span.name}"))
    _mark_words(axis, words)
    axis.set_xlim(0, len(f0) * hop_length / sample_rate if len(f0) else 1.0)
    if not np.any(f0 > 0):
        axis.set_ylim(0, 400)
        axis.text(0.5, 0.5, "no voiced frames found", transform=axis.transAxes, ha="center")
    title = "F0 contour" + (
        f" — utterance emotion: {utterance_emotion}" if utterance_emotion else ""
    )
    axis.set_title(title, pad=22)
    axis.set_xlabel("time (s)")
    axis.set_ylabel("F0 (Hz)")
    axis.grid(alpha=0.3)
    axis.legend(handles=handles, loc="upper right", fontsize=8, framealpha=0.85)
    return _to_array(figure)


def comparison_image(
    panels: list[tuple[str, np.ndarray, np.ndarray]], hop_length: int, sample_rate: int
) -> np.ndarray:
    """Small multiples: one column per rendering, its mel on top and its F0 below.

    ``panels``: (title, mel [80, T], f0 [T]). The F0 axes share their y range so the columns
    compare at a glance; the mel colour scale is shared for the same reason.
    """
    columns = len(panels)
    figure = Figure(figsize=(max(3.0 * columns, 6.0), 4.6), dpi=_DPI, layout="constrained")
    axes = figure.subplots(2, columns, squeeze=False, sharex=True, sharey="row")
    low = min(float(mel.min()) for _, mel, _ in panels)
    high = max(float(mel.max()) for _, mel, _ in panels)
    for column, (title, mel, f0) in enumerate(panels):
        seconds = mel.shape[1] * hop_length / sample_rate
        top, bottom = axes[0, column], axes[1, column]
        top.imshow(
            mel,
            origin="lower",
            aspect="auto",
            cmap="magma",
            vmin=low,
            vmax=high,
            extent=(0, seconds, 0, mel.shape[0]),
        )
        top.set_title(title, fontsize=9)
        bottom.plot(
            _frame_times(len(f0), hop_length, sample_rate),
            np.where(f0 > 0, f0, np.nan),
            color="black",
        )
        bottom.set_xlabel("time (s)")
        bottom.grid(alpha=0.3)
    # A shared time axis, so differences in length between renderings are visible too.
    axes[0, 0].set_xlim(0, max(mel.shape[1] for _, mel, _ in panels) * hop_length / sample_rate)
    axes[0, 0].set_ylabel("mel band")
    axes[1, 0].set_ylabel("F0 (Hz)")
    figure.suptitle("Mel spectrogram (top) and F0 (bottom) per rendering")
    return _to_array(figure)
