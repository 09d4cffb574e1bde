"""``prepare``: scan a corpus with its recipe, then clean, split and describe it the same way.

Output folder::

    wavs/<speaker>/<id>.wav   22050 Hz mono, silence trimmed, loudness normalized
    manifest.jsonl            emotts.data.manifest rows (audio paths relative to this folder)
    config.yaml               training config pointing at the manifest
    report.json               counts and every skipped file with its reason
    .prepare_state.json       the audio settings and since when wavs are made with them
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from rich.console import Console
from tqdm import tqdm

from emotts.data.manifest import ManifestEntry, write_manifest
from emotts.data.recipes import get_recipe
from emotts.data.recipes.common import (
    DUPLICATE_ID,
    UNKNOWN_LABEL,
    AudioSettings,
    ClipJob,
    ClipResult,
    ScanOptions,
    Skipped,
    SourceItem,
    process_clip,
    safe_name,
)
from emotts.data.recipes.report import (
    MANIFEST_NAME,
    build_report,
    print_summary,
    write_config,
    write_report,
)
from emotts.emotion.labels import canonical_label, unknown_label_problem
from emotts.errors import ConfigError, EmotionSpecError

STATE_NAME = ".prepare_state.json"


@dataclass(frozen=True)
class PrepareOptions:
    root: Path
    out: Path
    workers: int = 1
    val_fraction: float = 0.02
    overwrite: bool = False
    audio: AudioSettings = field(default_factory=AudioSettings)
    scan: ScanOptions = field(default_factory=ScanOptions)


def _relative(source: str, root: Path) -> str:
    try:
        return Path(source).relative_to(root).as_posix()
    except ValueError:
        return source


def _labelled_items(items: list[SourceItem], skipped: list[Skipped]) -> list[SourceItem]:
    """Items with canonical labels and unique ids and output names; the rest become skips."""
    kept: list[SourceItem] = []
    seen_ids: dict[str, str] = {}
    seen_names: set[tuple[str, str]] = set()
    for item in items:
        label = item.label
        if label is not None:
            try:
                label = canonical_label(label)
            except EmotionSpecError:
                skipped.append(
                    Skipped(str(item.audio), UNKNOWN_LABEL, unknown_label_problem(label))
                )
                continue
        name = (safe_name(item.speaker), safe_name(item.id))
        if item.id in seen_ids or name in seen_names:
            detail = f"id {item.id!r} is already used by {seen_ids.get(item.id, 'another file')}"
            skipped.append(Skipped(str(item.audio), DUPLICATE_ID, detail))
            continue
        seen_ids[item.id] = str(item.audio)
        seen_names.add(name)
        kept.append(replace(item, label=label))
    return kept


def _stable_fraction(key: str) -> float:
    """A number in [0, 1) fixed by ``key``, so splits do not change between runs."""
    return int(hashlib.sha1(key.encode("utf-8")).hexdigest()[:12], 16) / 16**12


def choose_splits(ids: list[str], given: list[str | None], val_fraction: float) -> list[str]:
    """Keep the corpus's splits; when it has no val utterance, move a stable sample of train."""
    if "val" in given or val_fraction <= 0:
        return [split or "train" for split in given]
    candidates = [i for i, split in enumerate(given) if split in (None, "train")]
    chosen = {i for i in candidates if _stable_fraction(ids[i]) < val_fraction}
    if not chosen and len(candidates) >= 2:
        chosen = {min(candidates, key=lambda i: _stable_fraction(ids[i]))}
    return ["val" if i in chosen else (split or "train") for i, split in enumerate(given)]


def _limit_threads() -> None:
    # Each worker resamples one file at a time; torch's own thread pool would oversubscribe.
    import torch

    torch.set_num_threads(1)


def _run_jobs(jobs: list[ClipJob], workers: int, desc: str) -> list[ClipResult]:
    results: list[ClipResult] = []
    with tqdm(total=len(jobs), desc=desc, unit="file") as bar:
        if workers <= 1 or len(jobs) <= 1:
            for job in jobs:
                results.append(process_clip(job))
                bar.update()
            return results
        # spawn, not fork: forking a process that has used torch's thread pool can deadlock.
        context = multiprocessing.get_context("spawn")
        chunk = max(1, min(32, len(jobs) // (workers * 4)))
        with ProcessPoolExecutor(workers, mp_context=context, initializer=_limit_threads) as pool:
            for result in pool.map(process_clip, jobs, chunksize=chunk):
                results.append(result)
                bar.update()
    return results


def _reuse_after_ns(out: Path, settings: dict, overwrite: bool) -> int:
    """Wavs written since the returned time were made with ``settings`` and can be reused.

    The state file records the settings and when wavs started being made with them; changed
    settings (or --overwrite) start a new state, so older wavs are redone, never deleted.
    """
    state_path = out / STATE_NAME
    if not overwrite and state_path.is_file():
        try:
            state = json.loads(state_path.read_text(encoding="utf-8"))
            if state.get("audio") == settings and isinstance(state.get("since_ns"), int):
                return state["since_ns"]
        except (json.JSONDecodeError, AttributeError):
            pass
    since = time.time_ns()
    state_path.write_text(
        json.dumps({"audio": settings, "since_ns": since}) + "\n", encoding="utf-8"
    )
    return since


def prepare(recipe_name: str, options: PrepareOptions, console: Console | None = None) -> dict:
    """Prepare a corpus into ``options.out``; returns the report (also written to report.json).

    Raises:
        ConfigError: unknown recipe, unusable root, or no utterance survived (the report is
            still written, listing why).
    """
    console = console or Console()
    recipe = get_recipe(recipe_name)
    root, out = options.root, options.out
    if not root.exists():
        raise ConfigError(f"--root {str(root)!r} does not exist; expected the {recipe.SUMMARY}")
    base = root if root.is_dir() else root.parent
    if root.is_dir() and out.is_relative_to(root):
        # Recipes search their folder for audio: outputs inside it would be found next time.
        raise ConfigError(
            f"--out {str(out)!r} is inside the corpus {str(base)!r}; use a folder outside it"
        )
    scan = recipe.scan(root, options.scan)
    skipped = list(scan.skipped)
    items = _labelled_items(scan.items, skipped)

    out.mkdir(parents=True, exist_ok=True)
    settings = asdict(options.audio)
    reuse_after_ns = _reuse_after_ns(out, settings, options.overwrite)
    jobs = [
        ClipJob(
            item.audio,
            out / "wavs" / safe_name(item.speaker) / f"{safe_name(item.id)}.wav",
            options.audio,
            reuse_after_ns,
        )
        for item in items
    ]
    results = _run_jobs(jobs, options.workers, f"{recipe_name}: audio")

    kept: list[tuple[SourceItem, ClipJob, ClipResult]] = []
    for item, job, result in zip(items, jobs, results, strict=True):
        if result.reason is not None:
            skipped.append(Skipped(str(item.audio), result.reason, result.detail))
        else:
            kept.append((item, job, result))
    splits = choose_splits(
        [item.id for item, _, _ in kept], [item.split for item, _, _ in kept], options.val_fraction
    )
    entries = [
        ManifestEntry(
            id=item.id,
            audio=job.dest.relative_to(out).as_posix(),
            text=item.text,
            speaker=item.speaker,
            emotion=item.label,
            adv=item.adv,
            split=split,
            extra={
                "duration": round(result.duration or 0.0, 3),
                "source": _relative(str(item.audio), base),
                **item.extra,
            },
        )
        for (item, job, result), split in zip(kept, splits, strict=True)
    ]
    skipped = [Skipped(_relative(s.source, base), s.reason, s.detail) for s in skipped]
    ignored = [Skipped(_relative(s.source, base), s.reason, s.detail) for s in scan.ignored]
    reused = sum(result.reused for _, _, result in kept)
    report = build_report(recipe_name, root, entries, skipped, ignored, settings, reused)
    write_report(out, report)
    print_summary(console, report, out)
    if not entries:
        raise ConfigError(
            f"no usable utterance found under {str(root)!r} for recipe {recipe_name!r} "
            f"({len(skipped)} skipped, reasons in {out / 'report.json'}); expected the "
            f"{recipe.SUMMARY}"
        )
    write_manifest(out / MANIFEST_NAME, entries)
    write_config(out, recipe_name, entries)
    return report
