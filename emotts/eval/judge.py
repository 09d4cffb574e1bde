"""The emotion judge: eGeMAPS functionals -> standardization -> label classifier + ADV regressor.

Fitted on reference recordings (by default the manifest's ``judge`` split, which the voice
never trained on): multinomial logistic regression over the labels (C = 1) and ridge
regression onto (arousal, dominance, valence) with the penalty chosen by leave-one-out
(RidgeCV). Before the final fit, a stratified 25 % of the rows is held out to measure the
judge's own accuracy and ADV correlations; those figures are stored with it so every report
can say how far the judge itself can be trusted. The final model is then refit on all rows.

The artifact is ``judge.json`` (labels, feature names, metrics, settings) plus ``judge.npz``
(coefficient arrays, loaded with ``allow_pickle=False``); prediction needs only numpy.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from emotts.errors import ConfigError
from emotts.eval.emotion_metrics import confusion_matrix, pearson
from emotts.eval.features import FEATURE_SET

FORMAT_VERSION = 1
HOLDOUT_FRACTION = 0.25
LOGISTIC_C = 1.0
RIDGE_ALPHAS = (0.1, 1.0, 10.0, 100.0, 1000.0)
ADV_KEYS = ("arousal", "dominance", "valence")
#: Judge fitted on the synthetic RHVoice corpus (recipes/rhvoice_emotion), shipped in the wheel.
BUNDLED_JUDGE = Path(__file__).parent / "data" / "judge_rhvoice_emotion"


def resolve_judge_path(value: str | Path | None) -> Path | None:
    """Command-line ``--judge``: a folder, ``none`` for no emotion judge, default the bundled one."""
    if value is None:
        return BUNDLED_JUDGE if (BUNDLED_JUDGE / "judge.json").is_file() else None
    if str(value).lower() == "none":
        return None
    return Path(value)


@dataclass
class EmotionJudge:
    """Linear models over standardized eGeMAPS features; ``adv_coef`` is None without ADV data."""

    labels: list[str]
    feature_names: list[str]
    mean: np.ndarray
    scale: np.ndarray
    label_coef: np.ndarray  # [K, F]
    label_intercept: np.ndarray  # [K]
    adv_coef: np.ndarray | None = None  # [3, F]
    adv_intercept: np.ndarray | None = None  # [3]
    metrics: dict = field(default_factory=dict)

    def _standardize(self, features: np.ndarray) -> np.ndarray:
        return (np.atleast_2d(features) - self.mean) / self.scale

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        """``[N, K]`` label probabilities for ``features[N, F]``."""
        logits = self._standardize(features) @ self.label_coef.T + self.label_intercept
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        return exp / exp.sum(axis=1, keepdims=True)

    def predict_labels(self, features: np.ndarray) -> list[str]:
        return [self.labels[i] for i in self.probabilities(features).argmax(axis=1)]

    def predict_adv(self, features: np.ndarray) -> np.ndarray | None:
        """``[N, 3]`` judged (arousal, dominance, valence), or None if never fitted on ADV."""
        if self.adv_coef is None:
            return None
        return self._standardize(features) @ self.adv_coef.T + self.adv_intercept

    def save(self, folder: str | Path) -> Path:
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        arrays = {
            "mean": self.mean,
            "scale": self.scale,
            "label_coef": self.label_coef,
            "label_intercept": self.label_intercept,
        }
        if self.adv_coef is not None:
            arrays |= {"adv_coef": self.adv_coef, "adv_intercept": self.adv_intercept}
        np.savez(folder / "judge.npz", **arrays)
        meta = {
            "format_version": FORMAT_VERSION,
            "feature_set": FEATURE_SET,
            "labels": self.labels,
            "feature_names": self.feature_names,
            "adv_keys": list(ADV_KEYS),
            "metrics": self.metrics,
        }
        (folder / "judge.json").write_text(json.dumps(meta, indent=2), encoding="utf-8")
        return folder

    @classmethod
    def load(cls, folder: str | Path) -> EmotionJudge:
        folder = Path(folder)
        meta_path, array_path = folder / "judge.json", folder / "judge.npz"
        if not meta_path.is_file() or not array_path.is_file():
            raise ConfigError(
                f"{folder} is not an emotion judge (needs judge.json and judge.npz); "
                "fit one with: emotts eval judge-fit --manifest M --out DIR"
            )
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if meta.get("format_version") != FORMAT_VERSION or meta.get("feature_set") != FEATURE_SET:
            raise ConfigError(f"{meta_path}: unsupported judge format or feature set")
        with np.load(array_path, allow_pickle=False) as arrays:
            data = {key: arrays[key] for key in arrays.files}
        return cls(
            labels=meta["labels"],
            feature_names=meta["feature_names"],
            mean=data["mean"],
            scale=data["scale"],
            label_coef=data["label_coef"],
            label_intercept=data["label_intercept"],
            adv_coef=data.get("adv_coef"),
            adv_intercept=data.get("adv_intercept"),
            metrics=meta.get("metrics", {}),
        )


def _fit(
    x: np.ndarray,
    y: np.ndarray,
    adv: np.ndarray,
    classes: list[str],
    feature_names: list[str],
) -> EmotionJudge:
    """Scaler (all rows), classifier (rows with y >= 0) and regressor (rows with finite ADV)."""
    from sklearn.linear_model import LogisticRegression, RidgeCV
    from sklearn.preprocessing import StandardScaler

    scaler = StandardScaler().fit(x)
    xs = scaler.transform(x)
    labelled, has_adv = y >= 0, ~np.isnan(adv).any(axis=1)
    classifier = LogisticRegression(C=LOGISTIC_C, max_iter=5000)
    classifier.fit(xs[labelled], y[labelled])
    coef, intercept = classifier.coef_, classifier.intercept_
    if len(classes) == 2:
        # sklearn keeps one logit for two classes; the symmetric pair gives the same softmax.
        coef = np.vstack([-coef[0] / 2, coef[0] / 2])
        intercept = np.array([-intercept[0] / 2, intercept[0] / 2])
    judge = EmotionJudge(classes, feature_names, scaler.mean_, scaler.scale_, coef, intercept)
    if has_adv.sum() >= 3:
        ridge = RidgeCV(alphas=RIDGE_ALPHAS).fit(xs[has_adv], adv[has_adv])
        judge.adv_coef, judge.adv_intercept = ridge.coef_, ridge.intercept_
    return judge


def _holdout_metrics(
    x: np.ndarray,
    y: np.ndarray,
    adv: np.ndarray,
    classes: list[str],
    feature_names: list[str],
    seed: int,
) -> dict | None:
    """Accuracy, confusion and ADV correlations of a judge fitted without 25 % of the rows.

    Labelled rows are split stratified by label; unlabelled (ADV-only) rows at random.
    """
    from sklearn.model_selection import train_test_split

    labelled = np.flatnonzero(y >= 0)
    n_holdout = int(round(HOLDOUT_FRACTION * len(labelled)))
    if np.bincount(y[labelled]).min() < 2 or n_holdout < len(classes):
        return None  # too few rows per label for a stratified split
    _, held_idx = train_test_split(
        labelled, test_size=n_holdout, stratify=y[labelled], random_state=seed
    )
    unlabelled = np.flatnonzero(y < 0)
    n_unlabelled = int(round(HOLDOUT_FRACTION * len(unlabelled)))
    if n_unlabelled:
        _, held_extra = train_test_split(unlabelled, test_size=n_unlabelled, random_state=seed)
    else:
        held_extra = np.array([], dtype=int)
    held_all = np.concatenate([held_idx, held_extra])
    fit_idx = np.setdiff1d(np.arange(len(y)), held_all)
    probe = _fit(x[fit_idx], y[fit_idx], adv[fit_idx], classes, feature_names)
    predicted = probe.probabilities(x[held_idx]).argmax(axis=1)
    result: dict = {
        "n": int(len(held_idx)),
        "accuracy": float(np.mean(predicted == y[held_idx])),
        "confusion": confusion_matrix(y[held_idx], predicted, len(classes)).tolist(),
    }
    held_adv = held_all[~np.isnan(adv[held_all]).any(axis=1)]
    judged = probe.predict_adv(x[held_adv]) if len(held_adv) >= 3 else None
    if judged is not None:
        result["n_adv"] = int(len(held_adv))
        result["adv_pearson"] = {
            key: pearson(adv[held_adv, i], judged[:, i]) for i, key in enumerate(ADV_KEYS)
        }
    return result


def fit_judge(
    features: np.ndarray,
    feature_names: list[str],
    labels: list[str | None],
    adv: list[tuple[float, float, float] | None],
    seed: int = 0,
) -> EmotionJudge:
    """Fit on ``features[N, F]`` with per-row label (or None) and ADV target (or None).

    The classifier learns from the labelled rows, the ADV regressor from every row with an ADV
    target (continuous-ADV rows have no label); both share one scaler fitted on all rows.
    Rows with neither are dropped.
    """
    keep = [
        i
        for i, (a, b) in enumerate(zip(labels, adv, strict=True))
        if a is not None or b is not None
    ]
    classes = sorted({labels[i] for i in keep if labels[i] is not None})
    if len(classes) < 2:
        raise ConfigError("the judge needs recordings of at least two emotion labels")
    x = features[keep]
    y = np.array([classes.index(labels[i]) if labels[i] is not None else -1 for i in keep])
    adv_rows = np.array(
        [adv[i] if adv[i] is not None else (np.nan,) * 3 for i in keep], dtype=np.float64
    )
    judge = _fit(x, y, adv_rows, classes, feature_names)
    judge.metrics = {
        "n_rows": int(len(y)),
        "n_labelled_rows": int((y >= 0).sum()),
        "n_adv_rows": int((~np.isnan(adv_rows).any(axis=1)).sum()),
        "logistic_c": LOGISTIC_C,
        "holdout": _holdout_metrics(x, y, adv_rows, classes, feature_names, seed),
    }
    return judge
