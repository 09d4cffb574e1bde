"""Mixed supervision: several prepared corpora in one manifest, each revealing what it is used for.

UDDETTS-style training takes emotion *labels* from one corpus (ESD: acted, categorical) and
*ADV* from another (MSP-Podcast: natural, dimensional) in one model. The model already trains
each item on what it carries (a label, an ADV vector, or both: a per-item coin picks the path),
so mixing is a data step: every source manifest is read, its rows keep the supervision the
source is used for (``label``, ``adv`` or ``both``) and the rest is hidden in ``extra`` (kept,
not lost: ``hidden_emotion`` / ``hidden_adv``), and the rows are written to one manifest with
audio paths that resolve from the new folder.

A row that carries nothing of what its source is used for (an MSP-Podcast row without ADV when
``adv`` is asked) has no emotion supervision left; it is left out and counted per source in the
printed summary and ``mix.json``, never dropped silently.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

import yaml

from emotts.data.manifest import ManifestEntry, read_manifest, write_manifest
from emotts.errors import ConfigError

KEEP_CHOICES = ("label", "adv", "both")
MANIFEST_NAME = "manifest.jsonl"


@dataclass(frozen=True)
class MixSource:
    """A prepared corpus (its manifest) and the supervision it contributes."""

    manifest: Path
    keep: str = "both"

    @classmethod
    def parse(cls, text: str) -> MixSource:
        """``PATH`` or ``PATH:label|adv|both``; PATH is a manifest or a folder holding one."""
        path, keep = text, "both"
        head, sep, tail = text.rpartition(":")
        if sep and tail in KEEP_CHOICES:
            path, keep = head, tail
        manifest = Path(path)
        if manifest.is_dir():
            manifest = manifest / MANIFEST_NAME
        if not manifest.is_file():
            raise ConfigError(
                f"source {text!r}: {str(manifest)!r} is not a manifest; accepted: PATH or "
                f"PATH:{'|'.join(KEEP_CHOICES)}, PATH a manifest.jsonl or a folder made by "
                "`emotts data prepare`"
            )
        return cls(manifest, keep)


@dataclass(frozen=True)
class SourceSummary:
    manifest: str
    keep: str
    kept: int
    left_out: int  # rows without the supervision the source is used for
    hours: float
    speakers: int


def _reveal(entry: ManifestEntry, keep: str) -> ManifestEntry | None:
    """The row with only the supervision ``keep`` names; None if that leaves nothing."""
    extra = dict(entry.extra)
    emotion, adv = entry.emotion, entry.adv
    if keep == "adv" and emotion is not None:
        extra["hidden_emotion"] = emotion
        emotion = None
    if keep == "label" and adv is not None:
        extra["hidden_adv"] = list(adv)
        adv = None
    if emotion is None and adv is None:
        return None
    intensity = entry.intensity if emotion is not None else None
    return replace(entry, emotion=emotion, adv=adv, intensity=intensity, extra=extra)


def mix_manifests(
    sources: list[MixSource], out: Path, *, preset: str = "default"
) -> list[SourceSummary]:
    """Write ``out/manifest.jsonl``, ``out/config.yaml`` and ``out/mix.json``.

    Raises:
        ConfigError: fewer than two sources, the same manifest twice, an id or a speaker used
            by two sources, or nothing left to train on.
    """
    if len(sources) < 2:
        raise ConfigError(f"mixing needs at least two sources, got {len(sources)}")
    resolved = [s.manifest.resolve() for s in sources]
    if len(set(resolved)) != len(resolved):
        raise ConfigError("the same manifest is given twice; give each corpus once")
    out.mkdir(parents=True, exist_ok=True)
    rows: list[ManifestEntry] = []
    owner_of_id: dict[str, str] = {}
    owner_of_speaker: dict[str, str] = {}
    summaries = []
    for source, manifest in zip(sources, resolved, strict=True):
        kept, left_out, seconds, speakers = 0, 0, 0.0, set()
        for entry in read_manifest(manifest):
            for key, owners in ((entry.id, owner_of_id), (entry.speaker, owner_of_speaker)):
                other = owners.setdefault(key, str(manifest))
                if other != str(manifest):
                    what = "id" if owners is owner_of_id else "speaker"
                    raise ConfigError(
                        f"{what} {key!r} is in both {other} and {manifest}; a mix needs them "
                        "distinct (the recipes prefix speakers with the corpus name)"
                    )
            revealed = _reveal(entry, source.keep)
            if revealed is None:
                left_out += 1
                continue
            audio = os.path.relpath(entry.audio_path(manifest.parent).resolve(), out.resolve())
            rows.append(replace(revealed, audio=Path(audio).as_posix()))
            kept += 1
            seconds += float(entry.extra.get("duration") or 0.0)
            speakers.add(entry.speaker)
        summaries.append(
            SourceSummary(str(manifest), source.keep, kept, left_out, seconds / 3600, len(speakers))
        )
    if not rows:
        raise ConfigError("no row of any source carries the supervision asked of it")
    write_manifest(out / MANIFEST_NAME, rows)
    _write_config(out, rows, preset)
    report = {
        "sources": [s.__dict__ for s in summaries],
        "rows": len(rows),
        "supervision": dict(Counter(_supervision(r) for r in rows)),
        "splits": dict(Counter(r.split for r in rows)),
    }
    (out / "mix.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    return summaries


def _supervision(entry: ManifestEntry) -> str:
    if entry.emotion is not None and entry.adv is not None:
        return "both"
    return "label" if entry.emotion is not None else "adv"


def _write_config(out: Path, rows: list[ManifestEntry], preset: str) -> Path:
    from emotts.data.recipes.report import ordered_labels

    labels = ordered_labels(rows)
    if "neutral" not in labels:
        # ADV-only rows and the voice's default need a neutral label to anchor on.
        labels = ["neutral", *labels]
    config = {
        "data": {
            "manifest": MANIFEST_NAME,
            "cache_dir": "cache",
            "language": "en-us",
            "labels": labels,
            "speakers": sorted({r.speaker for r in rows}),
        },
        "model": {"preset": preset},
        "train": {"output_dir": "runs/mixed", "batch_size": 16, "max_steps": 40000},
    }
    path = out / "config.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path
