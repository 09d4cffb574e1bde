"""Emotion taken from reference clips (``--emotion-from CLIP.wav``, ``emotion_from=``).

The clip is scored by the evaluation judge (``emotts.eval.judge``: eGeMAPS functionals from
openSMILE -> logistic regression over the labels + ridge regression onto ADV; the judge shipped
in ``emotts/eval/data`` by default). Several clips average into one direction, as EmoKnob
averages reference embeddings: their label probabilities and judged ADV are averaged.

The result is an ordinary :class:`EmotionSpec`, printed so it can be reused with ``-e``: the
blend of the judged label probabilities (labels below :data:`MIN_WEIGHT` dropped, weights
rounded to two decimals; neutral stays in the blend, so a half-neutral clip gives a half-strength
emotion), or with ``mode="adv"`` the judged ADV vector (clipped to [-1, 1]).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from emotts.emotion.labels import canonical_label
from emotts.emotion.spec import EmotionSpec
from emotts.errors import ControlError

#: Labels with a smaller averaged probability are left out of the blend.
MIN_WEIGHT = 0.05
MODES = ("labels", "adv")
ClipPaths = str | Path | Sequence[str | Path]


@dataclasses.dataclass(frozen=True)
class ClipEmotionEstimate:
    """What the judge heard in the clips, averaged over them.

    probabilities: canonical label -> mean probability (sums to 1).
    adv: mean judged (arousal, dominance, valence), or None when the judge has no ADV model.
    per_clip: each clip's own label probabilities, in the order given.
    """

    clips: tuple[str, ...]
    probabilities: dict[str, float]
    adv: tuple[float, float, float] | None
    per_clip: tuple[dict[str, float], ...]

    @property
    def label(self) -> str:
        """The most probable label."""
        return max(self.probabilities, key=self.probabilities.__getitem__)

    def spec(self, mode: str = "labels", intensity: float = 1.0) -> EmotionSpec:
        """The estimate as a spec: the label blend (``labels``) or the ADV vector (``adv``)."""
        if mode not in MODES:
            raise ControlError(f"unknown emotion-from mode {mode!r}; accepted: {', '.join(MODES)}")
        if mode == "adv":
            if self.adv is None:
                raise ControlError(
                    "this judge has no ADV model, so mode 'adv' is unavailable; use 'labels'"
                )
            clipped = tuple(round(float(np.clip(x, -1.0, 1.0)), 2) for x in self.adv)
            return EmotionSpec(adv=clipped, intensity=intensity)
        kept = {k: p for k, p in self.probabilities.items() if p >= MIN_WEIGHT}
        total = sum(kept.values())
        rounded = {k: round(p / total, 2) for k, p in kept.items()}
        return EmotionSpec.mix({k: w for k, w in rounded.items() if w > 0}, intensity=intensity)


def _paths(clips: ClipPaths) -> list[Path]:
    paths = [clips] if isinstance(clips, str | Path) else list(clips)
    if not paths:
        raise ControlError("emotion_from needs at least one audio clip")
    for path in paths:
        if not isinstance(path, str | Path):
            raise ControlError(f"emotion_from takes audio file paths, got {path!r}")
    return [Path(path) for path in paths]


class ClipEmotionEstimator:
    """Loads the judge and the eGeMAPS extractor once; call it on clip paths or samples."""

    def __init__(self, judge_dir: str | Path | None = None) -> None:
        from emotts.eval.features import EgemapsExtractor
        from emotts.eval.judge import EmotionJudge, resolve_judge_path

        folder = resolve_judge_path(judge_dir)
        if folder is None:
            raise ControlError(
                "no emotion judge is available to read a clip's emotion; install the "
                'evaluation extra (pip install "emotts[eval]") or pass a judge folder'
            )
        self.judge = EmotionJudge.load(folder)
        self.extractor = EgemapsExtractor()

    def features(self, samples: np.ndarray, sample_rate: int) -> np.ndarray:
        """``[88]`` eGeMAPS functionals of one clip."""
        return self.extractor(samples, sample_rate)

    def estimate_features(self, features: np.ndarray, names: Sequence[str]) -> ClipEmotionEstimate:
        """Average the judge's view of ``features[N, 88]`` (one row per clip named ``names``)."""
        probabilities = self.judge.probabilities(features)
        labels = [canonical_label(label) for label in self.judge.labels]
        per_clip = tuple(
            {label: float(p) for label, p in zip(labels, row, strict=True)} for row in probabilities
        )
        mean = probabilities.mean(axis=0)
        adv = self.judge.predict_adv(features)
        return ClipEmotionEstimate(
            clips=tuple(names),
            probabilities={label: float(p) for label, p in zip(labels, mean, strict=True)},
            adv=None if adv is None else tuple(float(x) for x in adv.mean(axis=0)),
            per_clip=per_clip,
        )

    def __call__(self, clips: ClipPaths) -> ClipEmotionEstimate:
        from emotts.eval.audio import load_mono
        from emotts.eval.features import FEATURE_RATE

        paths = _paths(clips)
        rows = []
        for path in paths:
            if not path.is_file():
                raise ControlError(f"emotion_from clip {str(path)!r} does not exist")
            rows.append(self.features(load_mono(path, FEATURE_RATE), FEATURE_RATE))
        return self.estimate_features(np.stack(rows), [str(path) for path in paths])


def estimate_clip_emotion(
    clips: ClipPaths, judge_dir: str | Path | None = None
) -> ClipEmotionEstimate:
    """The averaged emotion of one or more audio clips (see :class:`ClipEmotionEstimator`)."""
    return ClipEmotionEstimator(judge_dir)(clips)
