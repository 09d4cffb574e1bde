"""The acoustic model's named inputs, defined once, and their layout for a batch of sentences.

`ACOUSTIC_INPUT_SPECS` is the one definition of every input of `AcousticModel.forward` and of
the exported acoustic graph: name, dtype, axes, the neutral value ("no change", also used for
padding) and where the value comes from. The torch and ONNX backends (`build_inputs`), the
exporter (example inputs, dynamic axes, voice.json) and the training callbacks
(`emotts.models.annotations.training_inputs`) all derive from it, so adding an input is one
entry here plus its use in the model.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from emotts.emotion.calibration import IntensityCalibration
from emotts.emotion.control import avoided_weights, build_control
from emotts.errors import ControlError
from emotts.synthesis.controls import PITCH_RANGE_RANGE, PITCH_SHIFT_RANGE, SynthesisControls
from emotts.synthesis.pitch_edges import ramp_pitch_edges
from emotts.synthesis.sampling import FlowControls

# Symbolic axes: "batch" and "phonemes" are dynamic in the exported graph; "labels" is the
# voice's number of emotion labels; an int is a fixed size.
BATCH, PHONEMES, LABELS = "batch", "phonemes", "labels"
DYNAMIC_AXES = (BATCH, PHONEMES)


@dataclass(frozen=True)
class AcousticInput:
    """One named input of the acoustic model.

    source says who fills it: "text" (the front-end), "emotion" (`build_control`, per phoneme),
    "speaker", "control" (the `SynthesisControls` field of the same name, broadcast to the
    input's shape) or "timing" (exact durations and prosody-rate spans).
    """

    name: str
    dtype: str
    axes: tuple[str | int, ...]
    neutral: float
    source: str
    description: str

    def shape(self, batch: int, phonemes: int, labels: int) -> tuple[int, ...]:
        sizes = {BATCH: batch, PHONEMES: phonemes, LABELS: labels}
        return tuple(sizes[axis] if isinstance(axis, str) else axis for axis in self.axes)


ACOUSTIC_INPUT_SPECS: tuple[AcousticInput, ...] = (
    AcousticInput("phoneme_ids", "int64", (BATCH, PHONEMES), 0, "text", "symbol ids, 0 = pad"),
    AcousticInput("phoneme_lengths", "int64", (BATCH,), 0, "text", "phonemes in each row"),
    AcousticInput(
        "label_weights",
        "float32",
        (BATCH, PHONEMES, LABELS),
        0.0,
        "emotion",
        "emotion label mixture per phoneme, columns in the voice's label order",
    ),
    AcousticInput(
        "adv", "float32", (BATCH, PHONEMES, 3), 0.0, "emotion", "arousal, dominance, valence"
    ),
    AcousticInput(
        "use_adv", "float32", (BATCH, PHONEMES), 0.0, "emotion", "1 where the ADV vector applies"
    ),
    AcousticInput(
        "intensity",
        "float32",
        (BATCH, PHONEMES),
        0.0,
        "emotion",
        "0 neutral, 1 as trained, > 1 exaggerated, < 0 opposite polarity",
    ),
    AcousticInput("speaker_ids", "int64", (BATCH,), 0, "speaker", "speaker index"),
    AcousticInput(
        "duration_scale",
        "float32",
        (BATCH, PHONEMES),
        1.0,
        "timing",
        "per-phoneme stretch (1 / the <prosody rate> of its span)",
    ),
    AcousticInput("speed", "float32", (BATCH,), 1.0, "control", "tempo, higher is faster"),
    AcousticInput(
        "target_frames", "int64", (BATCH,), 0, "timing", "exact frame count, <= 0 for natural"
    ),
    AcousticInput(
        "pitch_shift",
        "float32",
        (BATCH, PHONEMES),
        0.0,
        "control",
        "semitones added per phoneme (the global shift plus SSML pitch spans)",
    ),
    AcousticInput(
        "pitch_range",
        "float32",
        (BATCH, PHONEMES),
        1.0,
        "control",
        "pitch movement scale per phoneme (the global range times SSML range spans)",
    ),
    AcousticInput("energy_scale", "float32", (BATCH,), 1.0, "control", "loudness scale"),
    # Emotion guidance of a flow decoder (docs/flow-decoder.md); a regression voice's graph
    # takes them too (one signature for every voice) and the pipeline refuses non-neutral values.
    AcousticInput(
        "guidance",
        "float32",
        (BATCH, PHONEMES),
        1.0,
        "guidance",
        "emotion guidance w per phoneme (1 = as trained, 0 = no emotion; flow voices)",
    ),
    AcousticInput(
        "avoid_weights",
        "float32",
        (BATCH, LABELS),
        0.0,
        "guidance",
        "label mixture to steer away from (negative guidance), zeros for none",
    ),
    AcousticInput(
        "avoid_guidance", "float32", (BATCH,), 0.0, "guidance", "negative guidance weight w_neg"
    ),
)

#: Input names of the acoustic model's forward / the exported acoustic graph, in order.
ACOUSTIC_INPUTS = tuple(spec.name for spec in ACOUSTIC_INPUT_SPECS)
ACOUSTIC_OUTPUTS = ("mel", "mel_lengths", "durations", "pitch", "energy")
#: What a flow voice's acoustic graph gives instead of the mel (`AcousticModel.prepare`): the
#: decoder's inputs, which the runtime integrates with the exported velocity graph.
FLOW_PREPARED_OUTPUTS = (
    "frames",
    "frame_mask",
    "conditions",
    "coefficients",
    "mel_lengths",
    "durations",
    "pitch",
    "energy",
)


def neutral_inputs(batch: int, phonemes: int, labels: int) -> dict[str, np.ndarray]:
    """Every input at its neutral value, shaped for ``batch`` rows of ``phonemes`` phonemes."""
    return {
        spec.name: np.full(spec.shape(batch, phonemes, labels), spec.neutral, spec.dtype)
        for spec in ACOUSTIC_INPUT_SPECS
    }


def build_inputs(
    sentences: list,
    labels: list[str],
    speaker_id: int,
    controls: SynthesisControls,
    target_frames: list[int] | None = None,
    duration_scales: list[np.ndarray] | None = None,
    flow: FlowControls | None = None,
    calibration: IntensityCalibration | None = None,
) -> dict[str, np.ndarray]:
    """Pad a list of `SentenceInput` into the named arrays the acoustic model takes.

    Args:
        sentences: front-end output, one per batch row.
        labels: the voice's emotion labels (column order of label_weights).
        target_frames: exact frames per sentence, or None for natural lengths.
        duration_scales: optional per-phoneme stretch per sentence.
        flow: guidance and the avoided label (None: neutral guidance inputs); a markup span's
            own ``guidance=`` wins over ``flow.guidance`` on its phonemes.
        calibration: the voice's intensity calibration, None for raw intensities.
    """
    length = max(len(s.phoneme_ids) for s in sentences)
    arrays = neutral_inputs(len(sentences), length, len(labels))
    arrays["speaker_ids"][:] = speaker_id
    for spec in ACOUSTIC_INPUT_SPECS:
        if spec.source == "control":
            arrays[spec.name][:] = getattr(controls, spec.name)
    if target_frames is not None:
        arrays["target_frames"][:] = target_frames
    emotion_inputs = [spec.name for spec in ACOUSTIC_INPUT_SPECS if spec.source == "emotion"]
    per_phoneme_controls = [
        spec for spec in ACOUSTIC_INPUT_SPECS if spec.source == "control" and PHONEMES in spec.axes
    ]
    for row, sentence in enumerate(sentences):
        n = len(sentence.phoneme_ids)
        arrays["phoneme_ids"][row, :n] = sentence.phoneme_ids
        arrays["phoneme_lengths"][row] = n
        control = build_control(sentence.emotions, labels, calibration)
        for name in emotion_inputs:
            arrays[name][row, :n] = control[name]
        if duration_scales is not None:
            arrays["duration_scale"][row, :n] = duration_scales[row]
        for spec in per_phoneme_controls:  # padding keeps the neutral value
            arrays[spec.name][row, n:] = spec.neutral
        if sentence.pitch_shifts:
            spans = ramp_pitch_edges(np.asarray(sentence.pitch_shifts), controls.pitch_ramp)
            arrays["pitch_shift"][row, :n] += spans
        if sentence.pitch_ranges:
            arrays["pitch_range"][row, :n] *= np.asarray(sentence.pitch_ranges, np.float32)
    _fill_guidance(arrays, sentences, labels, flow or FlowControls())
    _check_pitch(arrays)
    return arrays


def _fill_guidance(
    arrays: dict[str, np.ndarray], sentences: list, labels: list[str], flow: FlowControls
) -> None:
    """guidance per phoneme (span value, else the request's, else 1) and the avoided label."""
    default = 1.0 if flow.guidance is None else flow.guidance
    for row, sentence in enumerate(sentences):
        spans = [default if e.guidance is None else e.guidance for e in sentence.emotions]
        arrays["guidance"][row, : len(spans)] = spans
    if flow.avoid is not None:
        arrays["avoid_weights"][:] = avoided_weights(flow.avoid, labels)
        arrays["avoid_guidance"][:] = flow.negative_guidance


def _check_pitch(arrays: dict[str, np.ndarray]) -> None:
    """The global pitch controls and SSML spans together stay in the accepted ranges."""
    for name, (low, high) in (
        ("pitch_shift", PITCH_SHIFT_RANGE),
        ("pitch_range", PITCH_RANGE_RANGE),
    ):
        values = arrays[name]
        if values.size and (values.min() < low or values.max() > high):
            raise ControlError(
                f"{name} with the SSML spans on top reaches [{values.min():g}, {values.max():g}]; "
                f"accepted: [{low:g}, {high:g}] in total"
            )
