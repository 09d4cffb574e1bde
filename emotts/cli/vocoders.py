"""`emotts vocoders`: the registered vocoder names, what they are and where their weights live."""

from __future__ import annotations


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "vocoders", help="list the vocoders (names for --vocoder) and what each one is"
    )
    parser.set_defaults(func=run)


def run(args) -> int:
    from rich.console import Console
    from rich.table import Table

    from vocoders.catalog import CATALOG

    table = Table(title="vocoders (use the name with --vocoder; see docs/vocoder.md)")
    for column in ("name", "what", "weights", "streaming context"):
        table.add_column(column)
    for info in CATALOG:
        context = "whole sentence" if info.context_frames is None else f"{info.context_frames} frames"
        table.add_row(info.name, info.description, info.weights, context)
    Console().print(table)
    return 0
