"""build_control: per-phoneme control arrays in the voice's label order."""

from __future__ import annotations

import numpy as np
import pytest

from emotts.emotion import LABELS, EmotionSpec, build_control
from emotts.errors import EmotionSpecError


def test_shapes_dtypes_and_values() -> None:
    specs = [
        EmotionSpec.mix("happy:0.6,sad:0.4"),
        EmotionSpec.adv(0.7, 0.2, -0.5, intensity=0.5),
        EmotionSpec.label("angry", -1.0),
    ]
    control = build_control(specs, list(LABELS))
    assert control["label_weights"].shape == (3, len(LABELS))
    assert control["adv"].shape == (3, 3)
    assert control["use_adv"].shape == (3,)
    assert control["intensity"].shape == (3,)
    assert all(array.dtype == np.float32 for array in control.values())
    np.testing.assert_allclose(control["label_weights"][0], [0, 0.6, 0, 0.4, 0, 0, 0], rtol=1e-6)
    np.testing.assert_array_equal(control["label_weights"][1], np.zeros(len(LABELS)))
    np.testing.assert_allclose(control["adv"][1], [0.7, 0.2, -0.5], rtol=1e-6)
    np.testing.assert_array_equal(control["adv"][[0, 2]], np.zeros((2, 3)))
    np.testing.assert_array_equal(control["use_adv"], [0, 1, 0])
    np.testing.assert_allclose(control["intensity"], [1.0, 0.5, -1.0])
    assert control["label_weights"][2, LABELS.index("angry")] == 1.0


def test_voice_label_order_is_respected() -> None:
    control = build_control([EmotionSpec.mix({"sad": 1, "happy": 3})], ["sad", "neutral", "joy"])
    np.testing.assert_allclose(control["label_weights"], [[0.25, 0.0, 0.75]])


def test_empty_specs() -> None:
    control = build_control([], list(LABELS))
    assert control["label_weights"].shape == (0, len(LABELS))
    assert control["adv"].shape == (0, 3)


def test_label_missing_from_voice_lists_voice_labels() -> None:
    with pytest.raises(EmotionSpecError) as info:
        build_control(
            [EmotionSpec.label("neutral"), EmotionSpec.label("fearful")], ["neutral", "sad"]
        )
    message = str(info.value)
    assert "'fearful'" in message and "row 1" in message
    assert "Accepted labels for this voice: neutral, sad" in message


def test_bad_voice_labels_and_rows() -> None:
    with pytest.raises(EmotionSpecError, match="twice"):
        build_control([], ["happy", "joy"])
    with pytest.raises(EmotionSpecError, match="unknown emotion label"):
        build_control([], ["happy", "elated"])
    with pytest.raises(EmotionSpecError, match="not an EmotionSpec"):
        build_control(["happy"], list(LABELS))  # type: ignore[list-item]
