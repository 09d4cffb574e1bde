"""Each cue's emotion judged from the original audio inside its window (`dub --emotion-from`).

The original (the source-language dialogue, or the full mix) is read once at the judge's rate;
for a cue, the samples between its start and end are scored by the evaluation judge, exactly as
a reference clip is (`emotts.emotion.from_clip`), and the label blend becomes the cue's emotion.
"""

from __future__ import annotations

from pathlib import Path

from emotts.emotion.from_clip import ClipEmotionEstimate, ClipEmotionEstimator
from emotts.errors import AudioError

#: Windows shorter than this hold too little speech for the judge's functionals.
MIN_WINDOW_SECONDS = 0.3


class OriginalAudioEmotion:
    """The original audio and the judge; :meth:`estimate` reads one cue window."""

    def __init__(self, path: str | Path, judge_dir: str | Path | None = None) -> None:
        from emotts.eval.audio import load_mono
        from emotts.eval.features import FEATURE_RATE

        self.path = Path(path)
        if not self.path.is_file():
            raise AudioError(f"original audio {str(self.path)!r} does not exist or is not a file")
        self.estimator = ClipEmotionEstimator(judge_dir)
        self.rate = FEATURE_RATE
        self.samples = load_mono(self.path, FEATURE_RATE)

    @property
    def duration(self) -> float:
        return len(self.samples) / self.rate

    def estimate(self, start: float, end: float) -> tuple[ClipEmotionEstimate | None, str]:
        """The judged emotion of ``[start, end)`` seconds, or None and why it could not be read."""
        stop = min(end, self.duration)
        if stop - start < MIN_WINDOW_SECONDS:
            return None, (
                f"the original audio ({self.duration:.2f} s) has under {MIN_WINDOW_SECONDS} s "
                f"inside the cue window {start:.2f}-{end:.2f} s to judge its emotion"
            )
        window = self.samples[round(start * self.rate) : round(stop * self.rate)]
        if not window.any():
            return None, "the original audio is silent inside the cue window"
        features = self.estimator.features(window, self.rate)[None]
        return self.estimator.estimate_features(
            features, [f"{self.path}@{start:.2f}-{stop:.2f}"]
        ), ""
