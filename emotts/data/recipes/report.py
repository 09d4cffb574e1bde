"""What a preparation run leaves next to the manifest: ``report.json``, ``config.yaml``, a summary."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import yaml
from rich.console import Console
from rich.table import Table

from emotts.data.manifest import ManifestEntry
from emotts.data.recipes.common import Skipped
from emotts.emotion.labels import LABELS

REPORT_NAME = "report.json"
CONFIG_NAME = "config.yaml"
MANIFEST_NAME = "manifest.jsonl"


def build_report(
    recipe: str,
    root: Path,
    entries: list[ManifestEntry],
    skipped: list[Skipped],
    ignored: list[Skipped],
    settings: dict,
    reused: int,
) -> dict:
    """The run as data: counts (found = kept + skipped), per-split/label/speaker tallies, skips."""
    durations = [float(entry.extra.get("duration", 0.0)) for entry in entries]
    return {
        "recipe": recipe,
        "root": str(root),
        "settings": settings,
        "found": len(entries) + len(skipped),
        "kept": len(entries),
        "skipped_count": len(skipped),
        "reused": reused,
        "hours": round(sum(durations) / 3600.0, 4),
        "splits": dict(Counter(entry.split for entry in entries)),
        "labels": dict(Counter(entry.emotion or "(none)" for entry in entries)),
        "speakers": dict(Counter(entry.speaker for entry in entries)),
        "skip_reasons": dict(Counter(skip.reason for skip in skipped)),
        "skipped": [vars(skip) for skip in skipped],
        "ignored": [vars(skip) for skip in ignored],
    }


def write_report(out_dir: Path, report: dict) -> Path:
    path = out_dir / REPORT_NAME
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def ordered_labels(entries: list[ManifestEntry]) -> list[str]:
    """Labels present, in the canonical order (so voices trained on subsets agree on order)."""
    present = {entry.emotion for entry in entries if entry.emotion is not None}
    return [label for label in LABELS if label in present] + sorted(present - set(LABELS))


def write_config(out_dir: Path, recipe: str, entries: list[ManifestEntry]) -> Path:
    """A training config whose paths are relative to its own folder, next to the manifest."""
    config = {
        "data": {
            "manifest": MANIFEST_NAME,
            "cache_dir": "cache",
            "language": "en-us",
            "labels": ordered_labels(entries),
            "speakers": sorted({entry.speaker for entry in entries}),
        },
        "model": {"preset": "default"},
        "train": {"output_dir": f"runs/{recipe}", "batch_size": 16, "max_steps": 40000},
    }
    path = out_dir / CONFIG_NAME
    path.write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def print_summary(console: Console, report: dict, out_dir: Path, max_listed: int = 20) -> None:
    """Counts per split and label, skip reasons, and the first skipped files."""
    console.print(
        f"[bold]{report['recipe']}[/bold]: kept {report['kept']} of {report['found']} files "
        f"({report['hours']:.2f} h), skipped {report['skipped_count']}, "
        f"reused {report['reused']} from an earlier run"
    )
    counts = Table(title="kept utterances", show_header=True)
    counts.add_column("split")
    counts.add_column("count", justify="right")
    for split, count in sorted(report["splits"].items()):
        counts.add_row(split, str(count))
    for label, count in sorted(report["labels"].items()):
        counts.add_row(f"label {label}", str(count))
    counts.add_row("speakers", str(len(report["speakers"])))
    console.print(counts)
    if report["skipped"]:
        skips = Table(title="skipped files", show_header=True)
        skips.add_column("reason")
        skips.add_column("file")
        skips.add_column("detail")
        for skip in report["skipped"][:max_listed]:
            skips.add_row(skip["reason"], skip["source"], skip["detail"])
        console.print(skips)
        reasons = ", ".join(
            f"{reason}: {n}" for reason, n in sorted(report["skip_reasons"].items())
        )
        console.print(f"skip reasons: {reasons}")
        if len(report["skipped"]) > max_listed:
            console.print(f"... and {len(report['skipped']) - max_listed} more")
    for ignored in report["ignored"]:
        console.print(f"[yellow]ignored[/yellow] {ignored['source']}: {ignored['detail']}")
    console.print(f"full report in {out_dir / REPORT_NAME}")
