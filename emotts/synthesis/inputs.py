"""Named model inputs (numpy) for a batch of sentences: the exported graph's signature."""

from __future__ import annotations

import numpy as np

from emotts.emotion.control import build_control
from emotts.synthesis.controls import SynthesisControls

#: Input names of the acoustic model's forward / the exported acoustic graph, in order.
ACOUSTIC_INPUTS = (
    "phoneme_ids",
    "phoneme_lengths",
    "label_weights",
    "adv",
    "use_adv",
    "intensity",
    "speaker_ids",
    "duration_scale",
    "speed",
    "target_frames",
    "pitch_shift",
    "pitch_range",
    "energy_scale",
)
ACOUSTIC_OUTPUTS = ("mel", "mel_lengths", "durations", "pitch", "energy")


def build_inputs(
    sentences: list,
    labels: list[str],
    speaker_id: int,
    controls: SynthesisControls,
    target_frames: list[int] | None = None,
    duration_scales: list[np.ndarray] | None = None,
) -> dict[str, np.ndarray]:
    """Pad a list of `SentenceInput` into the named arrays the acoustic model takes.

    Args:
        sentences: front-end output, one per batch row.
        labels: the voice's emotion labels (column order of label_weights).
        target_frames: exact frames per sentence, or None for natural lengths.
        duration_scales: optional per-phoneme stretch per sentence.
    """
    batch = len(sentences)
    length = max(len(s.phoneme_ids) for s in sentences)
    k = len(labels)
    arrays = {
        "phoneme_ids": np.zeros((batch, length), np.int64),
        "phoneme_lengths": np.zeros(batch, np.int64),
        "label_weights": np.zeros((batch, length, k), np.float32),
        "adv": np.zeros((batch, length, 3), np.float32),
        "use_adv": np.zeros((batch, length), np.float32),
        "intensity": np.zeros((batch, length), np.float32),
        "speaker_ids": np.full(batch, speaker_id, np.int64),
        "duration_scale": np.ones((batch, length), np.float32),
        "speed": np.full(batch, controls.speed, np.float32),
        "target_frames": np.asarray(target_frames or [0] * batch, np.int64),
        "pitch_shift": np.full(batch, controls.pitch_shift, np.float32),
        "pitch_range": np.full(batch, controls.pitch_range, np.float32),
        "energy_scale": np.full(batch, controls.energy_scale, np.float32),
    }
    for row, sentence in enumerate(sentences):
        n = len(sentence.phoneme_ids)
        arrays["phoneme_ids"][row, :n] = sentence.phoneme_ids
        arrays["phoneme_lengths"][row] = n
        control = build_control(sentence.emotions, labels)
        for name in ("label_weights", "adv", "use_adv", "intensity"):
            arrays[name][row, :n] = control[name]
        if duration_scales is not None:
            arrays["duration_scale"][row, :n] = duration_scales[row]
    return arrays
