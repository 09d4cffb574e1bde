"""Calibrated intensity: per label, a monotone map from the requested intensity to the model's.

The same intensity number gives very different strengths for different labels (the default
voice at 0.5: sad judged 0.79, fearful 0.06). A voice can carry, per label, a piecewise-linear
increasing map ``f_k`` fitted with the emotion judge (``emotts eval calibrate``) so that
``f_k(r)`` is the internal intensity at which label k is judged as strongly as every other
label at the requested ``r``. It is stored in the voice's config (``calibration`` in
config.json and voice.json) and applied here, on the per-phoneme specs, before the control
arrays are laid out, so the torch and ONNX backends get the same inputs (the emotion math
itself stays inside the model).

- ``r`` in [0, 2]: linear interpolation between the fitted knots (``f_k(0) = 0``: neutral
  stays neutral).
- ``r`` below 0 (down to -1) passes through unchanged: the judge's probability of a label
  cannot measure how far speech moved *away* from it, so there is nothing to fit there.
- A label without a map (neutral, or one the calibration did not fit) and ADV specs (no label)
  pass through unchanged.
- A blend gets each component's own calibrated intensity. The emotion encoder computes
  ``v = E_n + a * sum_k w_k (E_k - E_n)``; with ``a' = sum_k w_k f_k(r)`` and weights
  ``w_k f_k(r) / a'`` it computes exactly ``E_n + sum_k w_k f_k(r) (E_k - E_n)``.

numpy/json only: the ONNX runtime path (no torch) imports this.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from emotts.emotion.labels import canonical_label
from emotts.emotion.spec import EmotionSpec
from emotts.emotion.syntax import INTENSITY_RANGE
from emotts.errors import ConfigError

CALIBRATION_FORMAT = "emotts-intensity-calibration"
CALIBRATION_VERSION = 1
#: The fitted part of the request range; negative requests pass through (see module doc).
FITTED_RANGE = (0.0, INTENSITY_RANGE[1])
_ACCEPTED = (
    "Accepted: {format, version, knots: increasing requested intensities from 0 to 2, "
    "labels: {label: internal intensities, one per knot, starting at 0 and strictly "
    "increasing}, optional fit: {...}}"
)


def _numbers(values: object, what: str, source: str) -> tuple[float, ...]:
    if not isinstance(values, list | tuple) or not values:
        raise ConfigError(f"{source}: {what} must be a non-empty list of numbers. {_ACCEPTED}")
    out = []
    for value in values:
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise ConfigError(f"{source}: {what} holds {value!r}, not a finite number. {_ACCEPTED}")
        out.append(float(value))
    return tuple(out)


def _strictly_increasing(values: tuple[float, ...]) -> bool:
    return all(b > a for a, b in zip(values, values[1:], strict=False))


@dataclass(frozen=True)
class IntensityCalibration:
    """Per-label piecewise-linear maps on shared ``knots`` (requested intensities, 0 .. 2).

    ``internal[label][i]`` is the model intensity used when ``knots[i]`` is requested.
    ``fit`` records how the maps were fitted (judge, sentences, target curve); informational.
    """

    knots: tuple[float, ...]
    internal: Mapping[str, tuple[float, ...]]
    fit: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.validate("calibration")

    def validate(self, source: str) -> None:
        """Refuse maps that are not usable: ``source`` names the file in the error."""
        knots = _numbers(list(self.knots), "knots", source)
        if len(knots) < 2 or knots[0] != FITTED_RANGE[0] or knots[-1] != FITTED_RANGE[1]:
            raise ConfigError(
                f"{source}: knots {list(knots)} must start at 0 and end at 2. {_ACCEPTED}"
            )
        if not _strictly_increasing(knots):
            raise ConfigError(f"{source}: knots {list(knots)} are not increasing. {_ACCEPTED}")
        if not self.internal:
            raise ConfigError(f"{source}: labels is empty. {_ACCEPTED}")
        for label, values in self.internal.items():
            if canonical_label(label) != label:
                raise ConfigError(
                    f"{source}: label {label!r} is not a canonical label name "
                    f"(write {canonical_label(label)!r}). {_ACCEPTED}"
                )
            numbers = _numbers(list(values), f"labels.{label}", source)
            if len(numbers) != len(knots):
                raise ConfigError(
                    f"{source}: labels.{label} has {len(numbers)} values for {len(knots)} "
                    f"knots. {_ACCEPTED}"
                )
            if numbers[0] != 0.0 or not _strictly_increasing(numbers):
                raise ConfigError(
                    f"{source}: labels.{label} {list(numbers)} must start at 0 and strictly "
                    f"increase (a monotone map that keeps 0 neutral). {_ACCEPTED}"
                )

    @property
    def labels(self) -> list[str]:
        return list(self.internal)

    def map_intensity(self, label: str, requested: float) -> float:
        """The model intensity for ``requested`` on ``label`` (identity where not fitted)."""
        values = self.internal.get(label)
        if values is None or requested < 0.0:
            return float(requested)
        return float(np.interp(requested, self.knots, values))

    def apply(self, spec: EmotionSpec) -> tuple[tuple[tuple[str, float], ...] | None, float]:
        """(label weights, model intensity) to lay out for ``spec`` (weights None for ADV
        specs, whose intensity passes through). Plain values, not an `EmotionSpec`: they are
        the model's inputs, not a request."""
        if spec.weights is None:
            return None, spec.intensity
        mapped = [
            (label, w, self.map_intensity(label, spec.intensity)) for label, w in spec.weights
        ]
        internal = math.fsum(w * m for _, w, m in mapped)
        if internal == 0.0:
            return spec.weights, 0.0
        return tuple((label, w * m / internal) for label, w, m in mapped), internal

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": CALIBRATION_FORMAT,
            "version": CALIBRATION_VERSION,
            "knots": list(self.knots),
            "labels": {label: list(values) for label, values in self.internal.items()},
            "fit": dict(self.fit),
        }

    @classmethod
    def from_dict(cls, data: object, source: str = "calibration") -> IntensityCalibration:
        """Read the ``calibration`` section; every problem is a ConfigError naming ``source``."""
        if not isinstance(data, Mapping):
            raise ConfigError(f"{source}: the calibration must be a mapping. {_ACCEPTED}")
        if data.get("format") != CALIBRATION_FORMAT or data.get("version") != CALIBRATION_VERSION:
            raise ConfigError(
                f"{source}: calibration format {data.get('format')!r} version "
                f"{data.get('version')!r} is not supported; expected {CALIBRATION_FORMAT!r} "
                f"version {CALIBRATION_VERSION} (re-fit with: emotts eval calibrate --voice V)"
            )
        unknown = sorted(set(data) - {"format", "version", "knots", "labels", "fit"})
        if unknown:
            raise ConfigError(f"{source}: unknown calibration keys {unknown}. {_ACCEPTED}")
        labels = data.get("labels")
        if not isinstance(labels, Mapping):
            raise ConfigError(f"{source}: calibration labels must be a mapping. {_ACCEPTED}")
        fit = data.get("fit", {})
        if not isinstance(fit, Mapping):
            raise ConfigError(f"{source}: calibration fit must be a mapping. {_ACCEPTED}")
        knots = _numbers(data.get("knots"), "knots", source)
        internal = {str(k): _numbers(v, f"labels.{k}", source) for k, v in labels.items()}
        calibration = cls.__new__(cls)
        object.__setattr__(calibration, "knots", knots)
        object.__setattr__(calibration, "internal", internal)
        object.__setattr__(calibration, "fit", dict(fit))
        calibration.validate(source)
        return calibration
