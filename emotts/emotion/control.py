"""Per-phoneme emotion control tensors for the acoustic model.

This only lays specs out as arrays. The emotion math (v = E_neutral + a * sum_k w_k (E_k -
E_neutral), the ADV projection) lives in the model's EmotionEncoder so exported ONNX graphs
carry it and no runtime re-implements it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from emotts.emotion.calibration import IntensityCalibration
from emotts.emotion.labels import canonical_label
from emotts.emotion.spec import EmotionSpec
from emotts.errors import EmotionSpecError


def build_control(
    specs: Sequence[EmotionSpec],
    labels: Sequence[str],
    calibration: IntensityCalibration | None = None,
) -> dict[str, np.ndarray]:
    """One row per spec (per phoneme), float32:

    - ``label_weights[T, K]``: blend weights in the voice's label order (zeros for ADV rows);
    - ``adv[T, 3]``: (arousal, dominance, valence) for ADV rows, zeros otherwise;
    - ``use_adv[T]``: 1.0 where the spec is an ADV vector, 0.0 where it is label weights;
    - ``intensity[T]``: the requested intensity, or with ``calibration`` the voice's model
      intensity for it (`IntensityCalibration.apply`, which also re-weights blends).

    ``labels`` are the voice's labels (aliases accepted); a spec using a label the voice lacks
    raises :class:`EmotionSpecError` naming the voice's labels.
    """
    columns: dict[str, int] = {}
    for column, name in enumerate(labels):
        label = canonical_label(name)
        if label in columns:
            raise EmotionSpecError(f"the voice lists label {label!r} twice: {list(labels)}")
        columns[label] = column
    steps = len(specs)
    control = {
        "label_weights": np.zeros((steps, len(columns)), dtype=np.float32),
        "adv": np.zeros((steps, 3), dtype=np.float32),
        "use_adv": np.zeros(steps, dtype=np.float32),
        "intensity": np.zeros(steps, dtype=np.float32),
    }
    for row, spec in enumerate(specs):
        if not isinstance(spec, EmotionSpec):
            raise EmotionSpecError(f"control row {row} is not an EmotionSpec: {spec!r}")
        weights, intensity = (
            (spec.weights, spec.intensity) if calibration is None else calibration.apply(spec)
        )
        control["intensity"][row] = intensity
        if spec.adv is not None:
            control["adv"][row] = spec.adv
            control["use_adv"][row] = 1.0
            continue
        for label, weight in weights or ():
            if label not in columns:
                raise EmotionSpecError(
                    f"emotion {str(spec)!r} (row {row}) uses label {label!r}, which this voice "
                    f"was not trained with. Accepted labels for this voice: {', '.join(columns)}"
                )
            control["label_weights"][row, columns[label]] = weight
    return control


def avoided_weights(avoid: str, labels: Sequence[str]) -> np.ndarray:
    """The emotion negative guidance steers away from, as label weights [K] in the voice's
    ``labels`` order (one-hot). The one check of an ``avoid`` label: `build_inputs` (so
    `synthesize` and `stream`), `Dubber` and the server's ``avoid`` field all call it.

    Raises:
        EmotionSpecError: ``avoid`` is not an emotion label or alias, or is one the voice was
            not trained with; the message starts with "avoid" and lists what is accepted.
    """
    try:
        label = canonical_label(avoid)
    except EmotionSpecError as error:
        raise EmotionSpecError(f"avoid: {error}") from None
    if label not in {canonical_label(name) for name in labels}:
        raise EmotionSpecError(
            f"avoid {avoid!r} is not a label of this voice; accepted: {', '.join(labels)}"
        )
    return build_control([EmotionSpec.label(label)], labels)["label_weights"][0]
