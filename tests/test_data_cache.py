"""Feature cache: shapes, statistics, failure reporting and incremental rebuilds."""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import pytest
import torch

from emotts.data.cache import build_cache, load_index, load_item, load_stats
from emotts.data.manifest import ManifestEntry, read_manifest, write_manifest
from emotts.errors import ConfigError
from emotts.text import default_symbols

torch.set_num_threads(2)
SYMBOLS = default_symbols("en-us")


def _build(manifest: Path, cache_dir: Path, symbols: list[str] = SYMBOLS):
    return build_cache(
        manifest, cache_dir, language="en-us", symbols=symbols, workers=1, progress=False
    )


@pytest.fixture(scope="module")
def built(tiny_corpus: Path, tmp_path_factory: pytest.TempPathFactory):
    cache_dir = tmp_path_factory.mktemp("cache")
    return _build(tiny_corpus, cache_dir)


def test_items_have_aligned_features(built) -> None:
    assert built.built == 10 and built.skipped == 0 and built.failures == []
    for row in load_index(built.cache_dir):
        item = load_item(built.cache_dir / "items" / row["file"])
        frames = item["mel"].shape[1]
        assert item["mel"].shape == (80, frames) and frames == row["frames"] > 20
        assert item["f0"].shape == (frames,) and item["energy"].shape == (frames,)
        assert (
            item["phoneme_ids"].dtype == torch.int64 and len(item["phoneme_ids"]) == row["phonemes"]
        )
        assert (item["f0"] > 0).float().mean() > 0.3  # espeak speech is mostly voiced


def test_two_sentences_concatenate_their_ids(built) -> None:
    rows = {row["id"]: row for row in load_index(built.cache_dir)}
    ids = load_item(built.cache_dir / "items" / rows["tiny_04"]["file"])["phoneme_ids"].tolist()
    assert ids.count(1) == 2 and ids.count(2) == 2  # two bos ("^") and two eos ("$")


def test_stats_are_sane(built) -> None:
    stats = load_stats(built.cache_dir)
    # espeak pitch 35..85 spans roughly 90..200 Hz.
    assert math.log(70) < stats["pitch_mean"] < math.log(300)
    assert 0.01 < stats["pitch_std"] < 1.0
    assert stats["energy_mean"] > 0 and stats["energy_std"] > 0
    assert stats["stats_from"] == "train"
    assert stats["labels"] == ["neutral", "happy"] and stats["speakers"] == ["espeak"]
    assert stats["counts"]["splits"] == {"train": 8, "val": 2}
    assert stats["symbols"] == SYMBOLS


def test_failures_are_reported_and_rebuilds_are_incremental(
    tiny_corpus: Path, tmp_path: Path
) -> None:
    entries = read_manifest(tiny_corpus)
    corpus = tmp_path / "corpus"
    shutil.copytree(tiny_corpus.parent / "wavs", corpus / "wavs")
    (corpus / "wavs" / "broken.wav").write_bytes(b"not audio")
    broken = [
        ManifestEntry("broken", "wavs/broken.wav", "Hello.", "espeak", split="train"),
        ManifestEntry("missing", "wavs/none.wav", "Hello.", "espeak", split="train"),
        ManifestEntry("badlabel", "wavs/tiny_00.wav", "Hello.", "espeak", emotion="sleepy"),
    ]
    manifest = corpus / "manifest.jsonl"
    write_manifest(manifest, entries[:4] + broken)
    first = _build(manifest, tmp_path / "cache")
    assert first.built == 4
    reasons = {f.id: f.reason for f in first.failures}
    assert set(reasons) == {"broken", "missing", "badlabel"}
    assert "AudioError" in reasons["broken"] and "does not exist" in reasons["missing"]
    assert "sleepy" in reasons["badlabel"]
    stats = load_stats(tmp_path / "cache")
    assert stats["counts"]["failed"] == 3 and len(stats["failures"]) == 3

    # Changing one text recomputes that item only; a label change recomputes nothing.
    changed = [
        *entries[:2],
        ManifestEntry(**{**entries[2].to_dict(), "text": "Another sentence.", "adv": None}),
        ManifestEntry(**{**entries[3].to_dict(), "emotion": "sad", "adv": None}),
    ]
    write_manifest(manifest, changed)
    second = _build(manifest, tmp_path / "cache")
    assert (second.built, second.skipped, second.failures) == (1, 3, [])
    assert load_stats(tmp_path / "cache")["labels"] == ["neutral", "sad"]

    # A different symbol table invalidates everything.
    third = _build(manifest, tmp_path / "cache", symbols=[*SYMBOLS, "☃"])
    assert (third.built, third.skipped) == (4, 0)


def test_build_fails_only_when_nothing_succeeds(tmp_path: Path) -> None:
    manifest = tmp_path / "manifest.jsonl"
    write_manifest(manifest, [ManifestEntry("a", "none.wav", "Hello.", "spk")])
    with pytest.raises(ConfigError, match="no utterance .* could be cached .*a: AudioError"):
        _build(manifest, tmp_path / "cache")
    assert not (tmp_path / "cache" / "stats.json").exists()


@pytest.mark.parametrize("workers", [1, 2])
def test_building_in_process_keeps_the_callers_threads(
    tiny_corpus: Path, tmp_path: Path, workers: int
) -> None:
    """Training follows the cache build in the same process: it must keep all its threads."""
    before = torch.get_num_threads()
    torch.set_num_threads(3)
    try:
        entries = read_manifest(tiny_corpus)
        manifest = tmp_path / "one.jsonl"
        shutil.copytree(tiny_corpus.parent / "wavs", tmp_path / "wavs")
        write_manifest(manifest, entries[:1])
        for _ in range(2):  # one item to build, then nothing left to build
            build_cache(
                manifest,
                tmp_path / "cache",
                language="en-us",
                symbols=SYMBOLS,
                workers=workers,
                progress=False,
            )
            assert torch.get_num_threads() == 3
    finally:
        torch.set_num_threads(before)
