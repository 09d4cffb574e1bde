"""Intensity calibration: the maps, their validation, their exact effect on the emotion vector,
and that the torch and ONNX voices apply them identically (and not at all when asked raw)."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from emotts.emotion.calibration import IntensityCalibration
from emotts.emotion.control import build_control
from emotts.emotion.spec import EmotionSpec
from emotts.errors import ConfigError
from emotts.voices.config import VoiceConfig, write_calibration

LABELS = ["neutral", "happy", "angry", "sad", "surprised", "fearful", "disgusted"]
KNOTS = (0.0, 0.5, 1.0, 1.5, 2.0)
# A strong label pulled down, a weak one pushed up (shapes like the default voice's).
MAPS = {
    "sad": (0.0, 0.2, 0.5, 1.0, 1.6),
    "fearful": (0.0, 1.1, 1.5, 1.8, 2.0),
    "happy": (0.0, 0.6, 1.2, 1.6, 1.9),
}


def _calibration() -> IntensityCalibration:
    return IntensityCalibration(KNOTS, MAPS, {"note": "hand-written for the tests"})


def test_maps_interpolate_and_pass_negative_and_unfitted_through():
    calibration = _calibration()
    assert calibration.map_intensity("sad", 0.5) == pytest.approx(0.2)
    assert calibration.map_intensity("sad", 0.75) == pytest.approx(0.35)
    assert calibration.map_intensity("fearful", 2.0) == pytest.approx(2.0)
    assert calibration.map_intensity("fearful", 0.0) == 0.0
    for requested in (-1.0, -0.4):
        assert calibration.map_intensity("fearful", requested) == requested
    assert calibration.map_intensity("angry", 1.3) == 1.3  # no map for angry: identity
    assert calibration.map_intensity("neutral", 0.7) == 0.7


@settings(max_examples=60, deadline=None)
@given(
    steps=st.lists(st.floats(0.01, 1.0), min_size=4, max_size=4),
    requests=st.lists(st.floats(-1.0, 2.0, allow_subnormal=False), min_size=2, max_size=12),
)
def test_any_valid_map_is_monotone_over_the_whole_request_range(steps, requests):
    values = tuple(np.concatenate([[0.0], np.cumsum(steps)]).tolist())
    calibration = IntensityCalibration(KNOTS, {"angry": values})
    ordered = sorted(requests)
    mapped = [calibration.map_intensity("angry", r) for r in ordered]
    assert all(b >= a for a, b in zip(mapped, mapped[1:], strict=False))
    assert all((m > 0) == (r > 0) for m, r in zip(mapped, ordered, strict=True))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"labels": {"sad": [0.0, 0.5, 0.4, 1.0, 1.5]}}, "strictly"),
        ({"labels": {"sad": [0.1, 0.5, 0.6, 1.0, 1.5]}}, "start at 0"),
        ({"labels": {"sad": [0.0, 0.5, 1.0]}}, "3 values for 5 knots"),
        ({"labels": {"joy": [0.0, 0.5, 0.6, 1.0, 1.5]}}, "canonical"),
        ({"labels": {"sad": [0.0, 0.5, float("nan"), 1.0, 1.5]}}, "finite"),
        ({"knots": [0.0, 0.5, 1.0, 1.5, 1.8]}, "end at 2"),
        ({"version": 9}, "version 9 is not supported"),
        ({"extra": 1}, "unknown calibration keys"),
    ],
)
def test_bad_calibrations_are_config_errors_naming_the_problem(change, message):
    document = _calibration().to_dict() | change
    with pytest.raises(ConfigError, match=message):
        IntensityCalibration.from_dict(document, "voice.json: calibration")


def test_round_trip_through_a_dict():
    calibration = _calibration()
    again = IntensityCalibration.from_dict(json.loads(json.dumps(calibration.to_dict())))
    assert again.knots == calibration.knots
    assert dict(again.internal) == dict(calibration.internal)


def test_control_is_untouched_without_calibration_and_mapped_with_it():
    specs = [EmotionSpec.label("sad", 0.5), EmotionSpec.adv(0.5, 0.2, -0.3, 0.5)]
    raw = build_control(specs, LABELS)
    assert raw["intensity"].tolist() == [0.5, 0.5]
    calibrated = build_control(specs, LABELS, _calibration())
    assert calibrated["intensity"][0] == pytest.approx(0.2)
    assert calibrated["intensity"][1] == 0.5  # ADV has no label to calibrate
    np.testing.assert_array_equal(raw["label_weights"], calibrated["label_weights"])


def _emotion_vectors(encoder, control: dict[str, np.ndarray]) -> torch.Tensor:
    with torch.no_grad():
        return encoder(
            *(
                torch.from_numpy(control[k])[None]
                for k in ("label_weights", "adv", "use_adv", "intensity")
            )
        )[0]


@pytest.mark.parametrize("requested", [-1.0, -0.3, 0.0, 0.4, 1.0, 1.7, 2.0])
def test_a_calibrated_blend_gives_each_label_its_own_intensity(requested):
    """E_n + sum_k w_k f_k(r) (E_k - E_n), computed by the model's own emotion encoder."""
    from emotts.emotion.labels import LABEL_ADV
    from emotts.models.emotion_encoder import EmotionEncoder

    torch.manual_seed(0)
    adv = torch.tensor([LABEL_ADV[label] for label in LABELS], dtype=torch.float32)
    encoder = EmotionEncoder(LABELS, adv, dim=8).eval()
    calibration = _calibration()
    blend = EmotionSpec.mix({"sad": 0.5, "fearful": 0.3, "angry": 0.2}, intensity=requested)
    vector = _emotion_vectors(encoder, build_control([blend], LABELS, calibration))[0]
    embeddings = encoder.label_embeddings.detach()
    neutral = embeddings[0]
    expected = neutral.clone()
    for label, weight in blend.weights:
        scale = calibration.map_intensity(label, requested)
        expected += weight * scale * (embeddings[LABELS.index(label)] - neutral)
    torch.testing.assert_close(vector, expected, atol=1e-5, rtol=1e-5)


def _capture_inputs(voice) -> list[dict[str, np.ndarray]]:
    seen: list[dict[str, np.ndarray]] = []
    run = voice.run_acoustic

    def recording(inputs):
        seen.append({k: v.copy() for k, v in inputs.items()})
        return run(inputs)

    voice.run_acoustic = recording
    return seen


@pytest.fixture(scope="module")
def calibrated_pair(exported, tmp_path_factory):
    """Copies of the session's tiny torch voice and its ONNX export, both calibrated."""
    root = tmp_path_factory.mktemp("calibrated")
    torch_dir, onnx_dir = root / "torch", root / "onnx"
    shutil.copytree(exported[0], torch_dir)
    shutil.copytree(exported[1], onnx_dir)
    for directory in (torch_dir, onnx_dir):
        write_calibration(directory, _calibration())
    return torch_dir, onnx_dir


def test_torch_and_onnx_voices_send_the_same_mapped_intensities(calibrated_pair):
    from emotts.backends import load_voice

    text = 'I <emotion name="fearful" intensity="0.5">heard</emotion> it. Oh no.'
    emotion = EmotionSpec.mix({"sad": 0.7, "happy": 0.3}, intensity=1.25)
    seen = {}
    audio = {}
    for name, directory in zip(("torch", "onnx"), calibrated_pair, strict=True):
        voice = load_voice(directory)
        assert voice.intensity_calibration is not None
        seen[name] = _capture_inputs(voice)
        audio[name] = voice.synthesize(text, emotion, speaker="a")
    for key in ("intensity", "label_weights"):
        np.testing.assert_array_equal(seen["torch"][0][key], seen["onnx"][0][key])
    intensity = seen["torch"][0]["intensity"][0]
    n = int(seen["torch"][0]["phoneme_lengths"][0])
    fearful = _calibration().map_intensity("fearful", 0.5)
    assert np.isclose(intensity[:n], fearful).any()  # the span, mapped
    blend = 0.7 * _calibration().map_intensity("sad", 1.25) + 0.3 * _calibration().map_intensity(
        "happy", 1.25
    )
    assert np.isclose(intensity[:n], blend).any()  # the utterance's blend, mapped
    assert len(audio["torch"].samples) == len(audio["onnx"].samples)
    np.testing.assert_allclose(audio["torch"].samples, audio["onnx"].samples, atol=1e-3)


def test_raw_intensity_bypasses_the_calibration(calibrated_pair, exported):
    from emotts.backends import load_voice

    calibrated = load_voice(calibrated_pair[0])
    plain = load_voice(exported[0])
    assert plain.intensity_calibration is None  # no calibration section: identity
    for intensity in (-1.0, 0.5, 2.0):
        seen_raw = _capture_inputs(calibrated)
        seen_plain = _capture_inputs(plain)
        raw = calibrated.synthesize("Hello.", f"fearful; intensity={intensity}", raw_intensity=True)
        reference = plain.synthesize("Hello.", f"fearful; intensity={intensity}")
        np.testing.assert_array_equal(seen_raw[0]["intensity"], seen_plain[0]["intensity"])
        np.testing.assert_array_equal(raw.samples, reference.samples)
        seen_mapped = _capture_inputs(calibrated)
        calibrated.synthesize("Hello.", f"fearful; intensity={intensity}")
        n = int(seen_mapped[0]["phoneme_lengths"][0])
        expected = _calibration().map_intensity("fearful", intensity)
        np.testing.assert_allclose(seen_mapped[0]["intensity"][0, :n], expected, rtol=1e-6)


def test_a_calibration_for_labels_the_voice_lacks_is_refused(exported, tmp_path):
    directory = tmp_path / "voice"
    shutil.copytree(exported[0], directory)
    path = directory / "config.json"
    document = json.loads(path.read_text())
    document["model"]["labels"] = ["neutral", "happy"]
    document["calibration"] = _calibration().to_dict()
    path.write_text(json.dumps(document))
    with pytest.raises(ConfigError, match=r"maps for \['sad', 'fearful'\]"):
        VoiceConfig.read(directory)


def test_export_carries_the_calibration_into_voice_json(calibrated_pair):
    from emotts.models.checkpoint import load_acoustic_model
    from emotts.onnx.export import voice_description

    model, config = load_acoustic_model(calibrated_pair[0])
    description = voice_description(config, model)
    assert description["calibration"] == _calibration().to_dict()
