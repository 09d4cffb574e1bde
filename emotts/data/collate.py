"""Padding per-item tensors into the batch dict every model's ``training_losses`` takes."""

from __future__ import annotations

import torch
from torch.nn.utils.rnn import pad_sequence


def _pad_time_last(tensors: list[torch.Tensor]) -> torch.Tensor:
    """[C, T_i] tensors -> [B, C, max T] with zero padding."""
    return pad_sequence([t.transpose(0, 1) for t in tensors], batch_first=True).transpose(1, 2)


def collate(items: list[dict[str, torch.Tensor]]) -> dict[str, torch.Tensor]:
    """Batch items from :class:`~emotts.data.dataset.CachedDataset`; padding is 0.

    Returns:
        ``phoneme_ids[B, T_ph]`` long, ``phoneme_lengths[B]``, ``mel[B, 80, T_fr]``,
        ``mel_lengths[B]``, ``f0[B, T_fr]`` (Hz, 0 unvoiced), ``energy[B, T_fr]``,
        ``speaker_ids[B]``, ``label_weights[B, K]`` (one-hot, a blend's weights, zeros when
        unlabelled), ``has_label[B]`` bool, ``adv[B, 3]``, ``has_adv[B]`` bool, ``intensity[B]``.
    """
    ids = [item["phoneme_ids"] for item in items]
    mels = [item["mel"] for item in items]
    return {
        "phoneme_ids": pad_sequence(ids, batch_first=True).long(),
        "phoneme_lengths": torch.tensor([len(t) for t in ids], dtype=torch.long),
        "mel": _pad_time_last(mels).float(),
        "mel_lengths": torch.tensor([m.shape[1] for m in mels], dtype=torch.long),
        "f0": pad_sequence([item["f0"] for item in items], batch_first=True).float(),
        "energy": pad_sequence([item["energy"] for item in items], batch_first=True).float(),
        "speaker_ids": torch.stack([item["speaker_id"] for item in items]).long(),
        "label_weights": torch.stack([item["label_weights"] for item in items]).float(),
        "has_label": torch.stack([item["has_label"] for item in items]).bool(),
        "adv": torch.stack([item["adv"] for item in items]).float(),
        "has_adv": torch.stack([item["has_adv"] for item in items]).bool(),
        "intensity": torch.stack([item["intensity"] for item in items]).float(),
    }
