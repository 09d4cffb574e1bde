"""`emotts presets`: the named emotion presets (shipped and from a user file)."""

from __future__ import annotations

import json
from pathlib import Path


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "presets",
        help="list emotion presets (use with synth -e preset:NAME or --preset NAME)",
        description="List the emotion presets: the shipped ones merged with a user YAML file "
        "(--presets FILE, else $EMOTTS_PRESETS). See docs/emotion-control.md for the format.",
    )
    parser.add_argument("--presets", type=Path, help="YAML file of extra presets")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.set_defaults(func=run)


def run(args) -> int:
    from rich.console import Console
    from rich.table import Table

    from emotts.emotion.presets import load_presets

    presets = load_presets(args.presets)
    if args.json:
        print(json.dumps([preset.to_dict() for preset in presets.values()], indent=2))
        return 0
    table = Table(title="emotion presets (emotts synth -e preset:NAME)")
    for column in ("name", "emotion", "speed", "pitch", "energy", "description"):
        table.add_column(column)
    for preset in presets.values():
        table.add_row(
            preset.name,
            str(preset.emotion),
            f"{preset.speed:g}",
            f"{preset.pitch_shift:+g} st",
            f"{preset.energy_scale:g}",
            preset.description,
        )
    Console().print(table)
    return 0
