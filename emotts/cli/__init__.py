"""The `emotts` command: one argparse parser, one module per subcommand.

Each subcommand module exposes ``register(subparsers)`` which adds its parser and sets
``func`` to a callable taking the parsed namespace and returning an exit code. Errors caused
by user input (:class:`emotts.errors.EmottsError`) become a message on stderr and exit code 2.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import warnings

from emotts.errors import EmottsError, TextWarning

# Each module imports its heavy dependencies (torch, Lightning, gradio, judges) inside its
# command function, so registering every subcommand stays cheap and a missing optional extra
# is reported when that command runs, not by a vanished subcommand.
_SUBCOMMAND_MODULES = (
    "emotts.cli.synth",
    "emotts.cli.dub",
    "emotts.cli.emotions",
    "emotts.cli.presets",
    "emotts.cli.train",
    "emotts.cli.train_log",
    "emotts.cli.train_vocoder",
    "emotts.cli.vocoders",
    "emotts.cli.data",
    "emotts.cli.eval",
    "emotts.cli.export",
    "emotts.cli.bench",
    "emotts.cli.demo",
    "emotts.cli.serve",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="emotts", description=__doc__.splitlines()[0])
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in _SUBCOMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    _show_text_warnings(args.command)
    try:
        return int(args.func(args) or 0)
    except EmottsError as error:
        print(f"emotts {args.command}: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _show_text_warnings(command: str) -> None:
    """`TextWarning` s (what was left silent or dropped) as one plain line each on stderr."""
    shown = warnings.showwarning

    def show(message, category, filename, lineno, file=None, line=None):
        if issubclass(category, TextWarning):
            print(f"emotts {command}: warning: {message}", file=sys.stderr)
        else:
            shown(message, category, filename, lineno, file, line)

    warnings.showwarning = show
    warnings.simplefilter("default", TextWarning)
