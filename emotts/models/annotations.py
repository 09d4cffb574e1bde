"""A training batch's utterance-level emotion annotations as the model's per-phoneme inputs.

Used by `AcousticModel.training_losses` (with a random label-or-ADV choice) and by the training
callbacks (deterministic), so both read the annotations the same way.
"""

from __future__ import annotations

import torch

from emotts.synthesis.inputs import neutral_inputs


def annotation_controls(
    batch: dict[str, torch.Tensor],
    n_phonemes: int,
    neutral_index: int,
    prefer_adv: torch.Tensor | None = None,
) -> dict[str, torch.Tensor]:
    """Utterance annotations -> ``label_weights [B, T_ph, K]``, ``adv [B, T_ph, 3]``,
    ``use_adv [B, T_ph]`` and ``intensity [B, T_ph]``.

    An utterance with only an ADV uses it; one with only a label uses the label; one with
    neither is neutral. One with both uses its ADV where ``prefer_adv [B]`` is true (training
    draws it at random so both paths land in the same space) and its label otherwise.
    """
    has_label = batch["has_label"].bool()
    has_adv = batch["has_adv"].bool()
    use_adv = has_adv & ~has_label
    if prefer_adv is not None:
        use_adv = has_adv & (~has_label | prefer_adv)
    neutral = torch.zeros_like(batch["label_weights"])
    neutral[:, neutral_index] = 1.0
    weights = torch.where(has_label.unsqueeze(1), batch["label_weights"], neutral)
    # The recorded ADV is the realized one (intensity already applied), so its path uses 1.
    intensity = torch.where(use_adv, torch.ones_like(batch["intensity"]), batch["intensity"])
    expand = lambda x: x.unsqueeze(1).expand(-1, n_phonemes, *x.shape[1:])  # noqa: E731
    return {
        "label_weights": expand(weights),
        "adv": expand(batch["adv"]),
        "use_adv": expand(use_adv.to(weights.dtype)),
        "intensity": expand(intensity.to(weights.dtype)),
    }


def training_inputs(batch: dict[str, torch.Tensor], neutral_index: int) -> dict[str, torch.Tensor]:
    """The model's named inference inputs for a training batch: its text, speakers and
    annotations (label preferred over ADV), every user control at its neutral value."""
    ids = batch["phoneme_ids"]
    batch_size, n_phonemes = ids.shape
    n_labels = batch["label_weights"].shape[1]
    inputs = {
        name: torch.from_numpy(array).to(ids.device)
        for name, array in neutral_inputs(batch_size, n_phonemes, n_labels).items()
    }
    inputs.update(
        phoneme_ids=ids,
        phoneme_lengths=batch["phoneme_lengths"],
        speaker_ids=batch["speaker_ids"],
        **annotation_controls(batch, n_phonemes, neutral_index),
    )
    return inputs
