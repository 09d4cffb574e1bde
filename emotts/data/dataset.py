"""Datasets over the feature cache, and a batch sampler that groups similar lengths."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import torch
from torch.utils.data import Dataset, Sampler

from emotts.data.cache import load_index, load_item
from emotts.errors import ConfigError


class CachedDataset(Dataset):
    """The cached utterances of one split, as per-item tensors ready for :func:`collate`.

    Args:
        cache_dir: a cache built by :func:`emotts.data.cache.build_cache`.
        split: manifest split to serve ("train", "val", ...).
        labels: the model's label order; ``label_weights`` rows follow it.
        speakers: the model's speaker order; ``speaker_id`` indexes it.

    Raises:
        ConfigError: an utterance's label or speaker is not among those the model knows.
    """

    def __init__(
        self, cache_dir: str | Path, split: str, labels: list[str], speakers: list[str]
    ) -> None:
        self.items_dir = Path(cache_dir) / "items"
        self.rows = [row for row in load_index(cache_dir) if row["split"] == split]
        self.labels = list(labels)
        self.speakers = list(speakers)
        for row in self.rows:
            for label in row.get("weights") or ([row["label"]] if row["label"] else []):
                if label not in self.labels:
                    raise ConfigError(
                        f"utterance {row['id']!r} has emotion {label!r}, which is not in "
                        f"data.labels; accepted: {', '.join(self.labels)} (or add it to "
                        "data.labels)"
                    )
            if row["speaker"] not in self.speakers:
                raise ConfigError(
                    f"utterance {row['id']!r} has speaker {row['speaker']!r}, which is not in "
                    f"data.speakers; accepted: {', '.join(self.speakers)}"
                )

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def frame_lengths(self) -> list[int]:
        """Mel frame count of each item, for length bucketing."""
        return [row["frames"] for row in self.rows]

    def __getitem__(self, index: int) -> dict[str, torch.Tensor]:
        row = self.rows[index]
        item = load_item(self.items_dir / row["file"])
        label_weights = torch.zeros(len(self.labels))
        # A blend trains the mixed embedding sum_k w_k E_k, as synthesis asks for it.
        for label, weight in (row.get("weights") or {row["label"]: 1.0}).items():
            if label is not None:
                label_weights[self.labels.index(label)] = weight
        adv = row["adv"]
        intensity = row["intensity"]
        return {
            "phoneme_ids": item["phoneme_ids"],
            "mel": item["mel"].float(),
            "f0": item["f0"],
            "energy": item["energy"],
            "speaker_id": torch.tensor(self.speakers.index(row["speaker"])),
            "label_weights": label_weights,
            "has_label": torch.tensor(row["label"] is not None),
            "adv": torch.tensor(adv if adv is not None else [0.0, 0.0, 0.0]),
            "has_adv": torch.tensor(adv is not None),
            "intensity": torch.tensor(1.0 if intensity is None else float(intensity)),
        }


def _distributed_world() -> tuple[int, int]:
    """(world size, rank) of the initialized process group, else (1, 0)."""
    if torch.distributed.is_available() and torch.distributed.is_initialized():
        return torch.distributed.get_world_size(), torch.distributed.get_rank()
    return 1, 0


class LengthBucketSampler(Sampler[list[int]]):
    """Batches of items with similar lengths, in random order.

    Padding is wasted compute, and on a CPU it dominates: sorting a shuffled pool of
    ``pool_batches`` batches' worth of items by length before cutting it into batches keeps
    padding small while batch composition still changes every epoch.

    Under distributed training ``batch_size`` is per process: every process draws the same
    global batches of ``batch_size * world_size`` items (same seed, same epoch) and takes every
    ``world_size``-th item of each, so one step of N processes sees exactly the items one
    process with an N times larger batch would, split into N halves of similar lengths.
    ``world_size`` and ``rank`` default to the initialized process group's (1 and 0 without
    one); Lightning's own distributed sampler is turned off, since it cannot shard batches.
    """

    def __init__(
        self,
        lengths: list[int],
        batch_size: int,
        *,
        shuffle: bool = True,
        seed: int = 0,
        pool_batches: int = 50,
        world_size: int | None = None,
        rank: int | None = None,
    ) -> None:
        if batch_size < 1:
            raise ConfigError(f"batch_size is {batch_size}; accepted: an integer >= 1")
        self.lengths = list(lengths)
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.seed = seed
        self.pool_batches = pool_batches
        self.world_size = world_size
        self.rank = rank
        self.epoch = 0

    def _world(self) -> tuple[int, int]:
        world, rank = _distributed_world()
        return (self.world_size or world, rank if self.rank is None else self.rank)

    def _global_batches(self, global_batch: int) -> list[list[int]]:
        order = list(range(len(self.lengths)))
        rng = random.Random(self.seed + self.epoch)
        if self.shuffle:
            rng.shuffle(order)
        pool_size = global_batch * self.pool_batches
        batches = []
        for start in range(0, len(order), pool_size):
            pool = sorted(order[start : start + pool_size], key=self.lengths.__getitem__)
            batches += [pool[i : i + global_batch] for i in range(0, len(pool), global_batch)]
        if self.shuffle:
            rng.shuffle(batches)
        return batches

    def __iter__(self) -> Iterator[list[int]]:
        world, rank = self._world()
        batches = []
        for batch in self._global_batches(self.batch_size * world):
            # A short last batch is topped up with its own items so that every process gets
            # one (a process without a batch would leave the others waiting in the sync).
            batch = (batch * world)[: max(len(batch), world)]
            batches.append(batch[rank::world])
        self.epoch += 1
        return iter(batches)

    def __len__(self) -> int:
        world, _ = self._world()
        global_batch = self.batch_size * world
        pool_size = global_batch * self.pool_batches
        full_pools, rest = divmod(len(self.lengths), pool_size)
        return full_pools * self.pool_batches + -(-rest // global_batch)
