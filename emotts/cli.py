"""The `emotts` command: one argparse parser, one module per subcommand.

Each subcommand module exposes ``register(subparsers)`` which adds its parser and sets
``func`` to a callable taking the parsed namespace and returning an exit code. Errors caused
by user input (:class:`emotts.errors.EmottsError`) become a message on stderr and exit code 2.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from emotts.errors import EmottsError

# Imported lazily by name so `emotts emotions` does not pay for torch or Lightning imports
# of other subcommands.
_SUBCOMMAND_MODULES = (
    "emotts.synth_cli",
    "emotts.emotions_cli",
    "emotts.train.cli",
    "emotts.data.cli",
    "emotts.eval.cli",
    "emotts.onnx.cli",
    "emotts.bench_cli",
    "emotts.demo_cli",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="emotts", description=__doc__.splitlines()[0])
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in _SUBCOMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as error:
            # A subcommand whose optional extra is not installed is simply absent; a missing
            # module of our own (a bug) must still surface.
            if error.name == name or (error.name and not error.name.startswith("emotts")):
                continue
            raise
        module.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except EmottsError as error:
        print(f"emotts {args.command}: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
