"""`emotts demo`: serve the Gradio demo (needs the `demo` extra: pip install 'emotts[demo]')."""

from __future__ import annotations

import importlib.util

from emotts.errors import ConfigError


def register(subparsers) -> None:
    from emotts.demo.app import build_parser

    parser = subparsers.add_parser(
        "demo",
        help="serve the interactive Gradio demo",
        description="Serve the Gradio demo: text with emotion markup in, speech, mel, F0 and "
        "timings out, plus a comparison mode. Listens on 127.0.0.1 unless --host says otherwise.",
    )
    build_parser(parser)
    parser.set_defaults(func=run)


def run(args) -> int:
    # Checked here rather than at import so `emotts --help` lists the command either way.
    if importlib.util.find_spec("gradio") is None:
        raise ConfigError("the demo needs gradio; install it with: pip install 'emotts[demo]'")
    from emotts.demo.app import launch

    launch(args.host, args.port, args.voice, args.backend)
    return 0
