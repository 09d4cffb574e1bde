"""ONNX export: torch vs onnxruntime on the same named inputs, for every kind of control.

The voice is the "tiny" preset with random weights; its duration head is biased so that each
phoneme lasts ~5 frames (an untrained head predicts ~0 frames, which would make every mel
empty and the comparison vacuous). Exporting takes about a minute on 2 cores, so the export
runs once per session (fixture `exported` in conftest.py, through the `emotts export` command,
which is tested that way too).

Tolerances: both backends compute in float32 but with different kernels (MKL/oneDNN vs MLAS)
and summation orders; the differences seen are ~1e-6 on the log-mel and ~1e-4 on the waveform.
Log-mels span about -11..2, and copy-synthesis with the real vocoder already differs by ~0.26
on average, so 1e-3 on the mel is far below anything audible while still catching a wrong
graph (a wrong control or emotion path changes the mel by >1e-2). Durations must be identical:
they are integers, and a different frame count would shift every timing.
"""

from __future__ import annotations

import json

import numpy as np
import onnx
import onnxruntime as ort
import pytest
import torch

from emotts.backends.onnx_format import ONNX_OPSET
from emotts.cli import main
from emotts.emotion.spec import EmotionSpec, parse_emotion
from emotts.models.checkpoint import load_acoustic_model
from emotts.synthesis.controls import SynthesisControls
from emotts.synthesis.inputs import ACOUSTIC_INPUTS, ACOUSTIC_OUTPUTS, build_inputs
from emotts.text.frontend import TextFrontend
from emotts.text.symbols import SymbolTable

MEL_ATOL = 1e-3
WAVE_ATOL = 1e-3


@pytest.fixture(scope="module")
def model(exported):
    return load_acoustic_model(exported[0])[0]


@pytest.fixture(scope="module")
def session(exported):
    return ort.InferenceSession(
        str(exported[1] / "acoustic.onnx"), providers=["CPUExecutionProvider"]
    )


@pytest.fixture(scope="module")
def frontend(model):
    from emotts.text.symbols import default_symbols

    return TextFrontend(SymbolTable(default_symbols()), "en-us")


def _compare(model, session, inputs: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    with torch.inference_mode():
        expected = model(*(torch.from_numpy(inputs[n]) for n in ACOUSTIC_INPUTS))
    got = session.run(list(ACOUSTIC_OUTPUTS), {n: inputs[n] for n in ACOUSTIC_INPUTS})
    expected = dict(zip(ACOUSTIC_OUTPUTS, (t.numpy() for t in expected), strict=True))
    got = dict(zip(ACOUSTIC_OUTPUTS, got, strict=True))
    np.testing.assert_array_equal(got["durations"], expected["durations"])
    np.testing.assert_array_equal(got["mel_lengths"], expected["mel_lengths"])
    assert got["mel"].shape == expected["mel"].shape
    assert got["mel_lengths"].min() > 0, "the test input must produce non-empty mels"
    np.testing.assert_allclose(got["mel"], expected["mel"], atol=MEL_ATOL, rtol=0)
    for name in ("pitch", "energy"):
        np.testing.assert_allclose(got[name], expected[name], atol=1e-4, rtol=0)
    return got


CASES = {
    "label": ("happy", {}),
    "blend": ("happy:0.6,surprised:0.4", {}),
    "intensity": (EmotionSpec.label("angry", intensity=1.7), {}),
    "negative_intensity": (EmotionSpec.label("sad", intensity=-0.8), {}),
    "adv": (parse_emotion(None, adv="0.7,0.2,-0.5"), {}),
    "speed": ("neutral", {"speed": 1.6}),
    "pitch": ("neutral", {"pitch_shift": 3.0, "pitch_range": 1.8}),
    "energy": ("fearful", {"energy_scale": 1.5}),
}


@pytest.mark.parametrize("case", list(CASES))
def test_emotion_and_controls_match_torch(case, model, session, frontend):
    emotion, controls = CASES[case]
    spec = emotion if isinstance(emotion, EmotionSpec) else parse_emotion(emotion)
    sentences = frontend.process("The morning train was late. We walked home.", spec)
    assert len(sentences) == 2  # a batch of two rows of different lengths
    inputs = build_inputs(sentences, model.config.labels, 1, SynthesisControls(**controls))
    _compare(model, session, inputs)


def test_per_phoneme_spans_from_markup_match_torch(model, session, frontend):
    text = 'I <emotion name="happy" intensity="1.5">really love</emotion> it, <emotion adv="-0.3,-0.3,-0.6">sadly</emotion>.'
    sentences = frontend.process(text, EmotionSpec.label("sad"))
    inputs = build_inputs(sentences, model.config.labels, 0, SynthesisControls())
    assert len({tuple(row) for row in inputs["label_weights"][0]}) > 2  # spans really differ
    _compare(model, session, inputs)


def test_duration_scale_and_target_frames_match_torch(model, session, frontend):
    sentences = frontend.process("Short. A somewhat longer second sentence.", EmotionSpec.neutral())
    rng = np.random.default_rng(0)
    scales = [rng.uniform(0.5, 2.0, len(s.phoneme_ids)).astype(np.float32) for s in sentences]
    inputs = build_inputs(sentences, model.config.labels, 0, SynthesisControls(), [57, 0], scales)
    got = _compare(model, session, inputs)
    assert got["mel_lengths"][0] == 57


def test_single_row_and_single_phoneme_shapes(model, session, frontend):
    (sentence,) = frontend.process("No.", EmotionSpec.neutral())
    _compare(model, session, build_inputs([sentence], model.config.labels, 0, SynthesisControls()))


def test_graph_signature_opset_and_metadata(exported):
    proto = onnx.load(str(exported[1] / "acoustic.onnx"))
    assert {o.version for o in proto.opset_import if o.domain in ("", "ai.onnx")} == {ONNX_OPSET}
    assert tuple(i.name for i in proto.graph.input) == ACOUSTIC_INPUTS
    assert tuple(o.name for o in proto.graph.output) == ACOUSTIC_OUTPUTS
    dims = {i.name: [d.dim_param for d in i.type.tensor_type.shape.dim] for i in proto.graph.input}
    assert dims["phoneme_ids"] == ["batch", "phonemes"]
    assert proto.graph.output[0].type.tensor_type.shape.dim[2].dim_param == "frames"
    meta = {p.key: p.value for p in proto.metadata_props}
    assert meta["sample_rate"] == "22050" and meta["speakers"] == "a,b"
    voice = json.loads((exported[1] / "voice.json").read_text())
    assert voice["emotion"]["labels"][0] == "neutral" and voice["speakers"] == ["a", "b"]
    assert voice["graphs"]["acoustic_int8"] == "acoustic.int8.onnx"


def test_vocoder_graph_matches_torch(exported):
    from vocoders import load_vocoder

    session = ort.InferenceSession(
        str(exported[1] / "vocoder.onnx"), providers=["CPUExecutionProvider"]
    )
    mel = np.random.default_rng(1).normal(-5.0, 2.0, (2, 80, 24)).astype(np.float32)
    with torch.inference_mode():
        expected = load_vocoder("hifigan-universal")(torch.from_numpy(mel)).numpy()
    (got,) = session.run(None, {"mel": mel})
    assert got.shape == expected.shape == (2, 24 * 256)
    np.testing.assert_allclose(got, expected, atol=WAVE_ATOL, rtol=0)


def test_quantized_graph_runs_and_stays_close(exported, session, frontend, model):
    """int8 is an option, not the default: its mel difference is reported, loosely bounded."""
    quantized = ort.InferenceSession(
        str(exported[1] / "acoustic.int8.onnx"), providers=["CPUExecutionProvider"]
    )
    sentences = frontend.process(
        "The morning train was late. We walked home.", EmotionSpec.label("happy")
    )
    # Fixed lengths, so the two mels have the same frames and can be compared directly.
    inputs = build_inputs(sentences, model.config.labels, 0, SynthesisControls(), [90, 70])
    fp32 = session.run(["mel"], inputs)[0]
    int8 = quantized.run(["mel"], inputs)[0]
    assert int8.shape == fp32.shape and np.isfinite(int8).all()
    difference = np.abs(int8 - fp32).mean()
    print(f"int8 vs fp32 mean |mel difference|: {difference:.4f}")
    assert difference < 0.5


# --- the torch-free runtime, against the torch Voice -------------------------------------


@pytest.fixture(scope="module")
def voices(exported):
    from emotts.backends.onnx_voice import OnnxVoice
    from emotts.backends.torch_voice import Voice

    return Voice.load(exported[0], backend="torch"), OnnxVoice.load(exported[1], threads=1)


TEXT = 'Hello there. I <emotion name="happy">really love</emotion> it!'


@pytest.mark.parametrize(
    "options",
    [
        {},
        # The vocoder runs at about real time on 2 cores, so the longer cases are opt-in.
        pytest.param({"speaker": "b", "speed": 1.3, "pitch_shift": -2.0}, marks=pytest.mark.slow),
        pytest.param({"duration": 3.0}, marks=pytest.mark.slow),
    ],
    ids=["plain", "controls", "duration"],
)
def test_onnx_voice_matches_torch_voice(voices, options):
    torch_voice, onnx_voice = voices
    expected = torch_voice.synthesize(TEXT, "sad", **options)
    got = onnx_voice.synthesize(TEXT, "sad", **options)
    assert len(got.samples) == len(expected.samples) > 0
    assert got.words == expected.words and got.phonemes == expected.phonemes
    np.testing.assert_allclose(got.mel, expected.mel, atol=MEL_ATOL, rtol=0)
    np.testing.assert_allclose(got.samples, expected.samples, atol=WAVE_ATOL, rtol=0)
    if "duration" in options:
        assert abs(got.duration - options["duration"]) <= 256 / 22050


def test_stream_pieces_join_to_synthesize(voices):
    from emotts.synthesis.result import concatenate

    _, onnx_voice = voices
    # The export records the vocoder's receptive field, so the ONNX voice streams in chunks.
    assert onnx_voice.vocoder_context_frames == 14
    parts = list(onnx_voice.stream(TEXT, "sad"))
    whole = onnx_voice.synthesize(TEXT, "sad")
    assert len(parts) > 2
    joined = concatenate(parts)
    assert joined.samples.shape == whole.samples.shape
    # synthesize() runs both sentences as one padded batch, stream() one at a time and the
    # vocoder in chunks: the same math in a different float32 summation order, so samples
    # agree to ~1e-5, not bit for bit.
    np.testing.assert_allclose(joined.samples, whole.samples, atol=1e-4)
    # Timings are relative to each piece; joined, they are the whole's.
    for a, b in zip(joined.words, whole.words, strict=True):
        assert a.start == pytest.approx(b.start, abs=1e-6)


def test_voice_load_dispatches_to_onnx_and_errors_are_clear(exported, tmp_path):
    from emotts.backends.onnx_voice import OnnxVoice
    from emotts.backends.torch_voice import Voice
    from emotts.errors import ConfigError, ControlError

    assert isinstance(Voice.load(exported[1]), OnnxVoice)  # backend="auto" sees voice.json
    with pytest.raises(ConfigError, match="voice.json is missing"):
        OnnxVoice.load(tmp_path)
    with pytest.raises(ControlError, match="not available"):
        OnnxVoice.load(exported[1], providers=["NoSuchExecutionProvider"])
    with pytest.raises(ControlError, match="duration cannot be combined"):
        next(OnnxVoice.load(exported[1]).stream("Hi.", duration=1.0))
    assert OnnxVoice.load(exported[1], quantized=True).synthesize("Hi.").duration > 0


def test_export_refuses_an_exported_voice(exported, capsys):
    assert main(["export", "--voice", str(exported[1]), "--out", str(exported[1] / "x")]) == 2
    assert "model.safetensors" in capsys.readouterr().err


def test_synth_cli_streams_pcm_with_onnx(exported, capfdbinary):
    args = [
        "synth",
        "--voice",
        str(exported[1]),
        "--backend",
        "onnx",
        "--stream",
        "--threads",
        "1",
        "-t",
        "One sentence. And another one.",
    ]
    assert main(args) == 0
    captured = capfdbinary.readouterr()
    pcm = np.frombuffer(captured.out, dtype="<i2")
    assert len(pcm) > 0 and len(pcm) % 256 == 0
    assert b"16-bit mono PCM at 22050 Hz" in captured.err


def test_every_ssml_control_matches_torch(model, session, frontend):
    """Per-phoneme pitch shift and range spans (with the global controls on top), rate spans,
    emphasis, emotion and break-zeroed durations: the graph agrees with torch."""
    text = (
        '<speak xmlns:emotts="urn:emotts">I <prosody pitch="+4st" range="150%">really</prosody> '
        '<emphasis level="strong">love</emphasis> <break time="300ms"/> '
        '<prosody rate="slow" pitch="-10%" volume="-6dB">this</prosody> '
        '<emotts:emotion name="happy">song</emotts:emotion>.</speak>'
    )
    sentences = frontend.process(text, EmotionSpec.neutral())
    inputs = build_inputs(
        sentences,
        model.config.labels,
        0,
        SynthesisControls(pitch_shift=1.0, pitch_range=1.2),
        duration_scales=[np.asarray(s.duration_scales, np.float32) for s in sentences],
    )
    assert len(set(inputs["pitch_shift"][0].tolist())) > 2  # the spans really differ
    assert (inputs["duration_scale"][0] == 0).any()  # the break zeroed its boundary
    _compare(model, session, inputs)
