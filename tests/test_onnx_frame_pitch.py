"""A frame-pitch voice (model.pitch_target: frame) exports to ONNX and matches torch.

Same inputs (ACOUSTIC_INPUT_SPECS, unchanged) and outputs as a phoneme voice; the frame
predictor, the positions and the controls expanded to frames are inside the graph. Bars as in
tests/test_onnx_voice.py: mel within 1e-3 (log-mel spans ~-11..2; float32 kernel differences
are ~1e-6, a wrong control path moves it by >1e-2), phoneme pitch/energy within 1e-4,
durations identical.
"""

from __future__ import annotations

import numpy as np
import onnxruntime as ort
import pytest
import torch

from emotts.emotion.spec import EmotionSpec
from emotts.models.checkpoint import load_acoustic_model
from emotts.synthesis.controls import SynthesisControls
from emotts.synthesis.inputs import ACOUSTIC_INPUTS, ACOUSTIC_OUTPUTS, build_inputs
from emotts.text.frontend import TextFrontend
from emotts.text.symbols import SymbolTable, default_symbols

MEL_ATOL = 1e-3


@pytest.fixture(scope="module")
def frame_voice(tmp_path_factory):
    from emotts.models.untrained import make_untrained_voice
    from emotts.onnx.export import export_voice

    root = tmp_path_factory.mktemp("frame_pitch_onnx")
    voice = make_untrained_voice(
        root / "voice", "tiny", frames_per_phoneme=5.0, speakers=("a", "b"), pitch_target="frame"
    )
    onnx_dir = export_voice(voice, root / "onnx").directory
    model = load_acoustic_model(voice)[0]
    session = ort.InferenceSession(
        str(onnx_dir / "acoustic.onnx"), providers=["CPUExecutionProvider"]
    )
    return model, session, onnx_dir


FRONTEND = TextFrontend(SymbolTable(default_symbols()), "en-us")
CASES = {
    "neutral": ("We walked home in the rain.", {}),
    "shift_and_range": ("Is it raining again?", {"pitch_shift": 4.0, "pitch_range": 1.8}),
    "ssml_spans": (
        '<speak>It is <prosody pitch="+5st" range="x-low">very</prosody> late.</speak>',
        {"pitch_shift": -2.0},
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_frame_pitch_graph_matches_torch(frame_voice, case) -> None:
    model, session, _ = frame_voice
    assert model.config.pitch_target == "frame"
    text, controls = CASES[case]
    sentences = FRONTEND.process(text, EmotionSpec.label("happy", intensity=1.3))
    inputs = build_inputs(sentences, list(model.config.labels), 1, SynthesisControls(**controls))
    with torch.inference_mode():
        expected = model(*(torch.from_numpy(inputs[n]) for n in ACOUSTIC_INPUTS))
    expected = dict(zip(ACOUSTIC_OUTPUTS, (t.numpy() for t in expected), strict=True))
    got = dict(
        zip(
            ACOUSTIC_OUTPUTS,
            session.run(list(ACOUSTIC_OUTPUTS), {n: inputs[n] for n in ACOUSTIC_INPUTS}),
            strict=True,
        )
    )
    np.testing.assert_array_equal(got["durations"], expected["durations"])
    assert got["mel_lengths"].min() > 0
    np.testing.assert_allclose(got["mel"], expected["mel"], atol=MEL_ATOL, rtol=0)
    for name in ("pitch", "energy"):
        np.testing.assert_allclose(got[name], expected[name], atol=1e-4, rtol=0)


def test_frame_pitch_graph_keeps_the_input_contract(frame_voice) -> None:
    _, session, _ = frame_voice
    assert [i.name for i in session.get_inputs()] == list(ACOUSTIC_INPUTS)
    assert [o.name for o in session.get_outputs()] == list(ACOUSTIC_OUTPUTS)
