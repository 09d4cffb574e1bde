"""Fitting the emotion judge from a reference manifest (``emotts eval judge-fit``)."""

from __future__ import annotations

import importlib
from pathlib import Path

import numpy as np
from tqdm import tqdm

from emotts.errors import ConfigError
from emotts.eval.audio import load_mono
from emotts.eval.features import FEATURE_RATE, EgemapsExtractor
from emotts.eval.judge import EmotionJudge, fit_judge
from emotts.eval.manifest import ReferenceRow, read_rows


def _label_prototypes() -> dict[str, tuple[float, float, float]]:
    """The label -> ADV table of emotts.emotion, or {} while that module is not available."""
    try:
        module = importlib.import_module("emotts.emotion.labels")
    except ImportError:
        return {}
    return dict(getattr(module, "LABEL_ADV", {}))


def adv_target(row: ReferenceRow, prototypes: dict) -> tuple[float, float, float] | None:
    """The row's ADV, else its label's prototype scaled by its intensity (neutral is 0,0,0)."""
    if row.adv is not None:
        return row.adv
    if row.emotion in prototypes:
        scale = 1.0 if row.intensity is None else row.intensity
        return tuple(scale * float(v) for v in prototypes[row.emotion])
    return None


def row_features(rows: list[ReferenceRow], extractor: EgemapsExtractor) -> np.ndarray:
    return np.stack(
        [
            extractor(load_mono(row.audio, FEATURE_RATE), FEATURE_RATE)
            for row in tqdm(rows, desc="eGeMAPS", unit="utt")
        ]
    )


def fit_from_manifest(
    manifest: str | Path, out: str | Path, splits: tuple[str, ...] = ("judge",)
) -> EmotionJudge:
    """Fit the judge on the manifest rows of ``splits`` and save it under ``out``."""
    prototypes = _label_prototypes()
    rows = [
        row
        for row in read_rows(manifest, splits)
        if row.emotion is not None or adv_target(row, prototypes) is not None
    ]
    if not any(row.emotion is not None for row in rows):
        raise ConfigError(f"{manifest} has no labelled rows in split(s) {', '.join(splits)}")
    extractor = EgemapsExtractor()
    judge = fit_judge(
        row_features(rows, extractor),
        extractor.names,
        [row.emotion for row in rows],
        [adv_target(row, prototypes) for row in rows],
    )
    judge.metrics["manifest"] = str(manifest)
    judge.metrics["splits"] = list(splits)
    judge.save(out)
    return judge
