"""Dataset + collate: the contract's batch dict, one-hot labels, ADV and length bucketing."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from emotts.data.cache import build_cache
from emotts.data.collate import collate
from emotts.data.dataset import CachedDataset, LengthBucketSampler
from emotts.data.manifest import read_manifest, write_manifest
from emotts.errors import ConfigError
from emotts.text import default_symbols

LABELS = ["neutral", "happy", "sad"]


@pytest.fixture(scope="module")
def cache_dir(tiny_corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Spelled as a corpus would ("Happiness"), with one row unlabelled and one with intensity,
    # to exercise canonical labels and the defaults.
    root = tmp_path_factory.mktemp("collate")
    entries = read_manifest(tiny_corpus)
    rows = [entry.to_dict() for entry in entries]
    for row in rows:
        row["audio"] = str(tiny_corpus.parent / row["audio"])
        if row["emotion"] == "happy":
            row["emotion"] = "Happiness"
    rows[1]["emotion"] = None
    rows[2]["intensity"] = 1.5
    from emotts.data.manifest import entry_from_dict

    write_manifest(root / "manifest.jsonl", [entry_from_dict(row) for row in rows])
    # Two workers: covers the multiprocessing path of the cache build.
    build_cache(
        root / "manifest.jsonl",
        root / "cache",
        language="en-us",
        symbols=default_symbols("en-us"),
        workers=2,
        progress=False,
    )
    return root / "cache"


def test_batch_matches_the_contract(cache_dir: Path) -> None:
    dataset = CachedDataset(cache_dir, "train", LABELS, ["espeak"])
    assert len(dataset) == 8
    batch = collate([dataset[i] for i in range(len(dataset))])
    B, T_fr = 8, int(batch["mel_lengths"].max())
    T_ph = int(batch["phoneme_lengths"].max())
    assert batch["phoneme_ids"].shape == (B, T_ph) and batch["phoneme_ids"].dtype == torch.long
    assert batch["mel"].shape == (B, 80, T_fr) and batch["mel"].dtype == torch.float32
    assert batch["f0"].shape == batch["energy"].shape == (B, T_fr)
    assert batch["speaker_ids"].tolist() == [0] * B
    assert batch["label_weights"].shape == (B, 3)
    assert batch["has_label"].dtype == torch.bool and batch["has_adv"].dtype == torch.bool
    assert batch["adv"].shape == (B, 3) and batch["intensity"].shape == (B,)
    # Padding is zero beyond each length.
    for i in range(B):
        assert batch["mel"][i, :, batch["mel_lengths"][i] :].abs().sum() == 0
        assert batch["phoneme_ids"][i, batch["phoneme_lengths"][i] :].abs().sum() == 0


def test_labels_adv_and_intensity(cache_dir: Path) -> None:
    dataset = CachedDataset(cache_dir, "train", LABELS, ["espeak"])
    items = {row["id"]: dataset[i] for i, row in enumerate(dataset.rows)}
    assert items["tiny_00"]["label_weights"].tolist() == [1.0, 0.0, 0.0]
    assert items["tiny_05"]["label_weights"].tolist() == [0.0, 1.0, 0.0]  # "Happiness"
    unlabelled = items["tiny_01"]
    assert not unlabelled["has_label"] and unlabelled["label_weights"].sum() == 0
    assert unlabelled["has_adv"] and unlabelled["adv"].tolist() == [0.0, 0.0, 0.0]
    assert items["tiny_07"]["has_adv"]
    assert items["tiny_07"]["adv"].tolist() == pytest.approx([0.7, 0.5, 0.8])
    assert not items["tiny_00"]["has_adv"] and items["tiny_00"]["adv"].abs().sum() == 0
    assert items["tiny_02"]["intensity"].item() == 1.5
    assert items["tiny_00"]["intensity"].item() == 1.0


def test_unknown_label_or_speaker_is_a_config_error(cache_dir: Path) -> None:
    with pytest.raises(ConfigError, match="emotion 'happy'.*accepted: neutral, sad"):
        CachedDataset(cache_dir, "train", ["neutral", "sad"], ["espeak"])
    with pytest.raises(ConfigError, match="speaker 'espeak'.*accepted: bob"):
        CachedDataset(cache_dir, "train", LABELS, ["bob"])


def test_bucket_sampler_groups_similar_lengths() -> None:
    lengths = [(i * 37) % 100 for i in range(100)]
    sampler = LengthBucketSampler(lengths, 10, seed=3)
    first, second = list(sampler), list(sampler)
    assert sorted(i for b in first for i in b) == list(range(100)) and len(sampler) == 10
    assert first != second  # reshuffled every epoch
    spread = sum(max(lengths[i] for i in b) - min(lengths[i] for i in b) for b in first)
    assert spread / len(first) <= 10  # sorted pool: each batch spans one tenth of the range
    ordered = list(LengthBucketSampler(lengths, 10, shuffle=False))
    assert ordered == list(LengthBucketSampler(lengths, 10, shuffle=False))


@pytest.mark.parametrize("count", [103, 17])
def test_bucket_sampler_splits_the_global_batches_across_processes(count: int) -> None:
    """Two processes with batch 4 see, step by step, the items one process with batch 8 sees."""
    lengths = [(i * 37) % 101 for i in range(count)]
    single = LengthBucketSampler(lengths, 8, seed=5)
    shards = [LengthBucketSampler(lengths, 4, seed=5, world_size=2, rank=r) for r in (0, 1)]
    for _ in range(2):  # two epochs: all processes reshuffle alike
        whole, first, second = list(single), list(shards[0]), list(shards[1])
        assert len(whole) == len(first) == len(second) == len(single) == len(shards[0])
        for batch, a, b in zip(whole, first, second, strict=True):
            assert a and b and abs(len(a) - len(b)) <= 1
            # A one-item last batch is shared by both processes; otherwise they split it.
            assert sorted(set(a + b)) == sorted(batch)
            assert len(batch) == 1 or sorted(a + b) == sorted(batch)
