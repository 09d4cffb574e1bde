"""`emotts export`: a torch voice directory -> an ONNX voice directory (see docs/serving.md)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from emotts.errors import ConfigError


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "export",
        help="export a voice to ONNX (acoustic + vocoder graphs and voice.json)",
        description="Export a trained voice to an ONNX voice directory served by onnxruntime "
        "without torch. See docs/serving.md.",
    )
    parser.add_argument(
        "-v", "--voice", required=True, help="voice directory or shipped voice name"
    )
    parser.add_argument("-o", "--out", type=Path, required=True, help="output directory")
    parser.add_argument(
        "--quantize",
        action="store_true",
        help="also write acoustic.int8.onnx (dynamic int8 quantization of the acoustic graph)",
    )
    parser.add_argument(
        "--vocoder",
        help="vocoder graph to export instead of the voice's own (see `emotts vocoders`)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from emotts.voices import resolve_voice

    source = resolve_voice(args.voice)
    if not (source / "model.safetensors").is_file():
        raise ConfigError(
            f"{source} has no model.safetensors; export needs a torch voice directory "
            "(model.safetensors + config.json), not an already exported one"
        )
    try:
        from emotts.onnx.export import export_voice
    except ModuleNotFoundError as error:
        raise ConfigError(
            f"export needs the 'export' extra ({error.name} is missing): pip install 'emotts[export]'"
        ) from None
    print(f"exporting {source} -> {args.out} (takes a minute on a small CPU)", file=sys.stderr)
    result = export_voice(source, args.out, quantize=args.quantize, vocoder=args.vocoder)
    for name, size in result.files.items():
        print(f"  {name:<20} {size / 1e6:8.2f} MB", file=sys.stderr)
    return 0
