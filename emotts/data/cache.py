"""The feature cache: mel, F0, energy and phoneme ids per utterance, computed once.

Layout of a cache directory::

    items/<id>.safetensors   mel [80, T_fr] float16, f0 [T_fr] (Hz, 0 unvoiced), energy [T_fr],
                             phoneme_ids [T_ph] int64; the header metadata holds the item's key
                             and its pitch/energy sums, so statistics need no tensor reads
    index.json               the cached utterances with their manifest fields and lengths
    stats.json               pitch/energy stats of the train split, symbols, labels, speakers,
                             counts and the failures with their reasons

An item's key hashes exactly what its features depend on: the audio config, the language, the
symbol table, the text and the audio file (path, size, modification time). Changing any of them
recomputes only the items affected; changing a label, speaker or split recomputes nothing.
"""

from __future__ import annotations

import hashlib
import json
import math
import multiprocessing
import os
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from safetensors import safe_open
from safetensors.torch import load_file, save_file
from tqdm import tqdm

from emotts.audio import AudioConfig
from emotts.data.manifest import ManifestEntry, read_manifest
from emotts.errors import ConfigError

CACHE_FORMAT = 1
_SAFE_ID = re.compile(r"[A-Za-z0-9._-]+")
# Header fields every item stores so stats can be summed without loading tensors.
_SUM_FIELDS = ("logf0_sum", "logf0_sq", "voiced", "energy_sum", "energy_sq", "frames", "phonemes")


@dataclass(frozen=True)
class FeatureSettings:
    """What every item's features depend on besides its own manifest row."""

    audio: AudioConfig
    language: str
    symbols: tuple[str, ...]

    def fingerprint(self) -> str:
        blob = json.dumps(
            {
                "format": CACHE_FORMAT,
                "audio": self.audio.to_dict(),
                "language": self.language,
                "symbols": self.symbols,
            },
            sort_keys=True,
        )
        return hashlib.sha256(blob.encode()).hexdigest()


@dataclass(frozen=True)
class Failure:
    """An utterance that could not be cached, and why."""

    id: str
    reason: str


@dataclass
class CacheResult:
    """Outcome of :func:`build_cache`."""

    cache_dir: Path
    built: int
    skipped: int
    failures: list[Failure] = field(default_factory=list)
    stats: dict = field(default_factory=dict)


def item_filename(uid: str) -> str:
    """File name for an utterance id; ids with unsafe characters get a hash suffix."""
    if _SAFE_ID.fullmatch(uid):
        return f"{uid}.safetensors"
    digest = hashlib.sha1(uid.encode()).hexdigest()[:10]
    return f"{re.sub(r'[^A-Za-z0-9._-]', '_', uid)[:80]}-{digest}.safetensors"


def item_key(entry: ManifestEntry, audio_path: Path, settings_fingerprint: str) -> str:
    """Hash of everything the item's features depend on (see module docstring)."""
    try:
        stat = audio_path.stat()
        audio_state = [str(audio_path.resolve()), stat.st_size, stat.st_mtime_ns]
    except OSError:
        audio_state = [str(audio_path), None, None]
    blob = json.dumps([settings_fingerprint, entry.text, audio_state])
    return hashlib.sha256(blob.encode()).hexdigest()


def cached_key(path: Path) -> str | None:
    """The key stored in an item file's header, or None if the file is missing or unreadable."""
    try:
        with safe_open(str(path), framework="pt") as handle:
            return (handle.metadata() or {}).get("key")
    except (OSError, ValueError, RuntimeError):
        return None


def _read_header_sums(path: Path) -> dict[str, float]:
    with safe_open(str(path), framework="pt") as handle:
        meta = handle.metadata() or {}
    return {name: float(meta[name]) for name in _SUM_FIELDS}


def load_item(path: str | Path) -> dict[str, torch.Tensor]:
    """Tensors of one cached utterance (mel, f0, energy, phoneme_ids), on the CPU."""
    return load_file(str(path))


# --- worker side -------------------------------------------------------------------------------

_worker_state: dict = {}


def _init_pool_worker(settings: FeatureSettings) -> None:
    # One thread per pool process: the pool already uses every core, and oversubscribing them
    # with intra-op threads makes the build slower, not faster. Only pool processes: the
    # in-process path must not leave the caller (e.g. the training run that follows) on one
    # thread.
    torch.set_num_threads(1)
    _load_worker_state(settings)


def _load_worker_state(settings: FeatureSettings) -> None:
    from emotts.emotion import EmotionSpec
    from emotts.text import SymbolTable, TextFrontend

    _worker_state["settings"] = settings
    _worker_state["frontend"] = TextFrontend(SymbolTable(settings.symbols), settings.language)
    _worker_state["neutral"] = EmotionSpec.neutral()


def _phoneme_ids(text: str) -> np.ndarray:
    sentences = _worker_state["frontend"].process(text, _worker_state["neutral"])
    ids = [i for sentence in sentences for i in sentence.phoneme_ids]
    return np.asarray(ids, dtype=np.int64)


def _compute_item(job: tuple[ManifestEntry, str, str, str]) -> tuple[str, str | None]:
    """Compute and write one item; returns (id, failure reason or None)."""
    from emotts.audio import extract_energy, extract_f0, load_audio, mel_spectrogram

    entry, audio_path, out_path, key = job
    settings: FeatureSettings = _worker_state["settings"]
    try:
        ids = _phoneme_ids(entry.text)
        if ids.size == 0:
            return entry.id, f"text {entry.text!r} produced no phonemes"
        wav = load_audio(audio_path, settings.audio.sample_rate)
        if len(wav) < settings.audio.n_fft:
            return entry.id, f"audio {audio_path} is shorter than one analysis window"
        mel = np.asarray(mel_spectrogram(wav, settings.audio))
        f0 = extract_f0(wav, settings.audio)
        energy = extract_energy(wav, settings.audio)
    except Exception as error:  # noqa: BLE001 - one bad file must not stop a corpus build
        return entry.id, f"{type(error).__name__}: {error}"
    frames = mel.shape[1]
    if not (len(f0) == len(energy) == frames):
        return entry.id, f"feature lengths differ: mel {frames}, f0 {len(f0)}, energy {len(energy)}"
    voiced = f0[f0 > 0]
    logf0 = np.log(voiced.astype(np.float64))
    energy64 = energy.astype(np.float64)
    sums = {
        "logf0_sum": logf0.sum(),
        "logf0_sq": (logf0**2).sum(),
        "voiced": voiced.size,
        "energy_sum": energy64.sum(),
        "energy_sq": (energy64**2).sum(),
        "frames": frames,
        "phonemes": ids.size,
    }
    tensors = {
        "mel": torch.from_numpy(mel.astype(np.float16)),
        "f0": torch.from_numpy(f0.astype(np.float32)),
        "energy": torch.from_numpy(energy.astype(np.float32)),
        "phoneme_ids": torch.from_numpy(ids),
    }
    metadata = {"key": key, **{name: repr(float(value)) for name, value in sums.items()}}
    # Write then rename, so an interrupted build never leaves a truncated item behind.
    partial = f"{out_path}.partial"
    save_file(tensors, partial, metadata=metadata)
    os.replace(partial, out_path)
    return entry.id, None


def _run_jobs(
    jobs: list[tuple[ManifestEntry, str, str, str]],
    settings: FeatureSettings,
    workers: int,
    progress: bool,
) -> Iterator[tuple[str, str | None]]:
    bar = tqdm(total=len(jobs), desc="caching features", unit="utt", disable=not progress)
    with bar:
        if not jobs:
            return
        if workers <= 1 or len(jobs) <= 1:
            _load_worker_state(settings)
            for job in jobs:
                yield _compute_item(job)
                bar.update()
            return
        # fork where there is one: spawned workers re-import torch and the phonemizer (seconds
        # each), while forked ones start at once. Workers run one intra-op thread, and torch
        # resets its thread pool in forked children (as DataLoader workers rely on).
        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
        with context.Pool(workers, initializer=_init_pool_worker, initargs=(settings,)) as pool:
            for result in pool.imap_unordered(_compute_item, jobs, chunksize=4):
                yield result
                bar.update()


# --- statistics --------------------------------------------------------------------------------


def _mean_std(total: float, squares: float, count: float, what: str) -> tuple[float, float]:
    if count <= 0:
        raise ConfigError(f"cannot compute {what} statistics: no frames in the train split")
    mean = total / count
    std = math.sqrt(max(squares / count - mean * mean, 0.0))
    return mean, max(std, 1e-4)


def _stats(
    rows: list[dict], sums: dict[str, dict[str, float]], *, settings: FeatureSettings
) -> dict:
    train = [row for row in rows if row["split"] == "train"]
    # A corpus without a train split can still be cached (e.g. for evaluation); its stats then
    # come from every item, and stats.json says so.
    source, basis = ("train", train) if train else ("all", rows)
    total = {name: sum(sums[row["id"]][name] for row in basis) for name in _SUM_FIELDS}
    pitch_mean, pitch_std = _mean_std(
        total["logf0_sum"], total["logf0_sq"], total["voiced"], "log-F0"
    )
    energy_mean, energy_std = _mean_std(
        total["energy_sum"], total["energy_sq"], total["frames"], "energy"
    )
    from emotts.emotion import LABELS

    found = {row["label"] for row in rows if row["label"] is not None}
    found |= {label for row in rows for label in row.get("weights", {})}
    return {
        "format": CACHE_FORMAT,
        "stats_from": source,
        "pitch_mean": pitch_mean,
        "pitch_std": pitch_std,
        "energy_mean": energy_mean,
        "energy_std": energy_std,
        "language": settings.language,
        "audio": settings.audio.to_dict(),
        "symbols": list(settings.symbols),
        "labels": [label for label in LABELS if label in found],
        "speakers": sorted({row["speaker"] for row in rows}),
        "counts": {
            "items": len(rows),
            "splits": dict(Counter(row["split"] for row in rows)),
            "labels": dict(Counter(row["label"] or "unlabelled" for row in rows)),
            "speakers": dict(Counter(row["speaker"] for row in rows)),
            "train_frames": int(total["frames"]),
        },
    }


# --- driver ------------------------------------------------------------------------------------


def _index_row(
    entry: ManifestEntry, weights: dict[str, float] | None, frames: int, n_ids: int
) -> dict:
    row = {
        "id": entry.id,
        "file": item_filename(entry.id),
        "speaker": entry.speaker,
        # The label (a blend's heaviest one, for counts and label lists) and, for blends only,
        # every label's weight, which training uses as the label weights.
        "label": max(weights, key=weights.__getitem__) if weights else None,
        "adv": list(entry.adv) if entry.adv is not None else None,
        "intensity": entry.intensity,
        "split": entry.split,
        "frames": frames,
        "phonemes": n_ids,
    }
    if weights is not None and len(weights) > 1:
        row["weights"] = weights
    return row


def canonical_weights(emotion: str) -> dict[str, float]:
    """A manifest emotion as canonical label weights: a label (corpus spellings accepted,
    ``Happiness`` -> ``{"happy": 1.0}``) or a blend in the spec syntax
    (``happy:0.6,surprised:0.4``, normalized to sum 1).

    Raises:
        EmotionSpecError: an unknown label or a malformed blend.
    """
    from emotts.emotion import EmotionSpec, canonical_label

    if ":" not in emotion:
        return {canonical_label(emotion): 1.0}
    return dict(EmotionSpec.mix(emotion).weights or ())


def _canonical_labels(
    entries: Iterable[ManifestEntry],
) -> tuple[dict[str, dict[str, float] | None], list]:
    from emotts.errors import EmottsError

    labels: dict[str, dict[str, float] | None] = {}
    failures = []
    for entry in entries:
        try:
            labels[entry.id] = canonical_weights(entry.emotion) if entry.emotion else None
        except EmottsError as error:
            failures.append(Failure(entry.id, f"emotion label: {error}"))
    return labels, failures


def build_cache(
    manifest: str | Path,
    cache_dir: str | Path,
    *,
    language: str,
    symbols: list[str],
    audio_config: AudioConfig | None = None,
    workers: int | None = None,
    progress: bool = True,
) -> CacheResult:
    """Cache features for every manifest row; skip rows whose cached key is current.

    Raises:
        ConfigError: the manifest is invalid, or no utterance could be cached (the message
            lists the first failures).
    """
    manifest = Path(manifest)
    cache_dir = Path(cache_dir)
    entries = read_manifest(manifest)
    settings = FeatureSettings(audio_config or AudioConfig(), language, tuple(symbols))
    fingerprint = settings.fingerprint()
    items_dir = cache_dir / "items"
    items_dir.mkdir(parents=True, exist_ok=True)

    labels, failures = _canonical_labels(entries)
    jobs, skipped = [], 0
    for entry in entries:
        if entry.id not in labels:
            continue
        audio_path = entry.audio_path(manifest.parent)
        out_path = items_dir / item_filename(entry.id)
        key = item_key(entry, audio_path, fingerprint)
        if cached_key(out_path) == key:
            skipped += 1
        else:
            jobs.append((entry, str(audio_path), str(out_path), key))

    reasons = dict(_run_jobs(jobs, settings, workers or os.cpu_count() or 1, progress))
    failures += [Failure(uid, reason) for uid, reason in reasons.items() if reason is not None]
    failed = {failure.id for failure in failures}

    rows, sums = [], {}
    for entry in entries:
        if entry.id in failed:
            continue
        path = items_dir / item_filename(entry.id)
        sums[entry.id] = _read_header_sums(path)
        frames, n_ids = int(sums[entry.id]["frames"]), int(sums[entry.id]["phonemes"])
        rows.append(_index_row(entry, labels[entry.id], frames, n_ids))
    if not rows:
        listed = "; ".join(f"{f.id}: {f.reason}" for f in failures[:5])
        raise ConfigError(f"no utterance of {manifest} could be cached ({listed})")

    stats = _stats(rows, sums, settings=settings)
    stats["counts"]["failed"] = len(failures)
    stats["failures"] = [{"id": f.id, "reason": f.reason} for f in failures]
    stats["manifest"] = str(manifest.resolve())
    _write_json(cache_dir / "index.json", rows)
    _write_json(cache_dir / "stats.json", stats)
    return CacheResult(
        cache_dir, len(jobs) - len(reasons.keys() & failed), skipped, failures, stats
    )


def _write_json(path: Path, data: object) -> None:
    partial = path.with_suffix(".partial")
    partial.write_text(json.dumps(data, indent=1, ensure_ascii=False), encoding="utf-8")
    os.replace(partial, path)


def load_stats(cache_dir: str | Path) -> dict:
    """The cache's ``stats.json``; ConfigError if the cache has not been built."""
    return _read_json(Path(cache_dir) / "stats.json")


def load_index(cache_dir: str | Path) -> list[dict]:
    """The cache's ``index.json`` rows (one per cached utterance)."""
    return _read_json(Path(cache_dir) / "index.json")


def _read_json(path: Path):
    if not path.is_file():
        raise ConfigError(f"{path} does not exist; build the feature cache first (emotts train)")
    return json.loads(path.read_text(encoding="utf-8"))
