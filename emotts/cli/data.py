"""``emotts data``: prepare real corpora (``prepare``) and, when installed, synthetic ones."""

from __future__ import annotations

import argparse
import importlib
import os
from pathlib import Path

from emotts.errors import ConfigError

_SYNTHETIC_CLI = "emotts.cli.data_synthetic"


def _prepare(args: argparse.Namespace) -> int:
    # Imported here so `emotts --help` does not pay for torch and the recipes.
    from emotts.data.recipes import get_recipe
    from emotts.data.recipes.common import AudioSettings, ScanOptions
    from emotts.data.recipes.pipeline import PrepareOptions, prepare

    get_recipe(args.recipe)
    if args.root is None:
        raise ConfigError("--root is required: the corpus folder (generic: its CSV/JSONL file)")
    if args.out is None:
        raise ConfigError("--out is required: the folder to write wavs/, manifest.jsonl to")
    if args.workers < 1:
        raise ConfigError(f"--workers is {args.workers}; accepted: an integer >= 1")
    if not 0 < args.min_duration < args.max_duration:
        raise ConfigError(
            f"--min-duration {args.min_duration} / --max-duration {args.max_duration}; "
            "accepted: 0 < min < max seconds"
        )
    if not 0 <= args.val_fraction <= 0.5:
        raise ConfigError(f"--val-fraction is {args.val_fraction}; accepted: a number in [0, 0.5]")
    options = PrepareOptions(
        root=args.root.resolve(),
        out=args.out.resolve(),
        workers=args.workers,
        val_fraction=args.val_fraction,
        overwrite=args.overwrite,
        audio=AudioSettings(min_duration=args.min_duration, max_duration=args.max_duration),
        scan=ScanOptions(prompts=args.prompts.resolve() if args.prompts else None),
    )
    prepare(args.recipe, options)
    print(f"manifest: {options.out / 'manifest.jsonl'}\nconfig:   {options.out / 'config.yaml'}")
    return 0


def _register_prepare(data_subparsers: argparse._SubParsersAction) -> None:
    from emotts.data.recipes import RECIPES

    parser = data_subparsers.add_parser(
        "prepare",
        help="turn a corpus into 22050 Hz wavs, manifest.jsonl, config.yaml and report.json",
        description="Resample, trim, loudness-normalize and describe a corpus. Bad files are "
        "skipped and listed in report.json; a rerun reuses finished wavs.",
    )
    parser.add_argument("recipe", metavar="RECIPE", help=f"one of: {', '.join(RECIPES)}")
    parser.add_argument("--root", type=Path, help="corpus folder (generic: a CSV/JSONL file)")
    parser.add_argument("--out", type=Path, help="output folder")
    parser.add_argument(
        "--workers",
        type=int,
        default=min(8, os.cpu_count() or 1),
        help="parallel processes for audio (default: up to 8)",
    )
    parser.add_argument("--min-duration", type=float, default=0.3, help="seconds (default 0.3)")
    parser.add_argument("--max-duration", type=float, default=20.0, help="seconds (default 20)")
    parser.add_argument(
        "--val-fraction",
        type=float,
        default=0.02,
        help="share of train moved to val when the corpus has no val split (default 0.02)",
    )
    parser.add_argument(
        "--prompts", type=Path, help="emovdb: the CMU ARCTIC cmuarctic.data (default ROOT/...)"
    )
    parser.add_argument(
        "--overwrite", action="store_true", help="redo every wav instead of reusing finished ones"
    )
    parser.set_defaults(func=_prepare)


def _mix(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table

    from emotts.data.mix import MixSource, mix_manifests

    sources = [MixSource.parse(text) for text in args.sources]
    summaries = mix_manifests(sources, args.out.resolve(), preset=args.preset)
    table = Table(title=f"mixed into {args.out / 'manifest.jsonl'}")
    for column in ("source", "supervision", "kept", "left out", "hours", "speakers"):
        table.add_column(column)
    for s in summaries:
        table.add_row(
            s.manifest, s.keep, str(s.kept), str(s.left_out), f"{s.hours:.2f}", str(s.speakers)
        )
    Console().print(table)
    for s in summaries:
        if s.left_out:
            print(f"note: {s.left_out} row(s) of {s.manifest} carry no {s.keep} and were left out")
    print(f"config:   {args.out / 'config.yaml'}\nreport:   {args.out / 'mix.json'}")
    return 0


def _register_mix(data_subparsers: argparse._SubParsersAction) -> None:
    parser = data_subparsers.add_parser(
        "mix",
        help="combine prepared corpora into one manifest, each with the supervision it gives",
        description="Mixed supervision (UDDETTS-style): e.g. labels from ESD and ADV from "
        "MSP-Podcast in one model: emotts data mix out/esd:label out/msp:adv --out out/mixed. "
        "Hidden annotations are kept in each row's extra fields; rows left with no supervision "
        "are counted, not silently dropped.",
    )
    parser.add_argument(
        "sources", nargs="+", metavar="SOURCE", help="PATH[:label|adv|both] (default both)"
    )
    parser.add_argument("--out", type=Path, required=True, help="output folder")
    parser.add_argument("--preset", default="default", help="model preset in config.yaml")
    parser.set_defaults(func=_mix)


def _register_synthetic(data_subparsers: argparse._SubParsersAction) -> None:
    """Add ``synthesize``/``measure`` when the synthetic-corpus package provides its CLI."""
    try:
        module = importlib.import_module(_SYNTHETIC_CLI)
    except ModuleNotFoundError as error:
        # Absent module, or an optional third-party dependency of it not installed: no
        # synthetic subcommands. A missing emotts module imported *inside* it is a bug.
        missing = error.name or ""
        if missing in (_SYNTHETIC_CLI, "emotts.data.synthetic") or not missing.startswith("emotts"):
            return
        raise
    module.register(data_subparsers)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("data", help="prepare training corpora")
    data_subparsers = parser.add_subparsers(dest="data_command", metavar="ACTION", required=True)
    _register_prepare(data_subparsers)
    _register_mix(data_subparsers)
    _register_synthetic(data_subparsers)
