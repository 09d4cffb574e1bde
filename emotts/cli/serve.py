"""`emotts serve`: the HTTP speech service (needs the `serve` extra: pip install 'emotts[serve]')."""

from __future__ import annotations

import importlib.util
import logging
import os
import sys

from emotts.errors import ConfigError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
_LOOPBACK = ("127.0.0.1", "localhost", "::1")


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "serve",
        help="serve speech over HTTP (OpenAI-compatible /v1/audio/speech)",
        description="Serve the voices given with --voice over HTTP: POST /v1/audio/speech "
        "(OpenAI-compatible, plus emotion fields), /v1/audio/speech/timings, GET /v1/voices, "
        "/health and the OpenAPI docs at /docs. Listens on 127.0.0.1 unless --host says "
        "otherwise. See docs/serving.md.",
    )
    parser.add_argument(
        "-v",
        "--voice",
        action="append",
        help="a voice to serve: a directory, a shipped voice name, or NAME=DIR; repeat for "
        "several (the first is the default; default: the shipped default voice)",
    )
    parser.add_argument(
        "--host", default=DEFAULT_HOST, help=f"address to listen on (default {DEFAULT_HOST})"
    )
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="port (default 8000)")
    parser.add_argument(
        "--api-key",
        help="require this key on every request (Authorization: Bearer KEY); "
        "default: the EMOTTS_API_KEY environment variable, else no key",
    )
    parser.add_argument(
        "--backend",
        choices=("auto", "torch", "onnx"),
        default="auto",
        help="auto: ONNX for exported voices, torch otherwise (default auto)",
    )
    parser.add_argument(
        "--device",
        choices=("cpu", "cuda"),
        help="inference device for exported voices (default: cuda when onnxruntime-gpu "
        "provides it, else cpu)",
    )
    parser.add_argument(
        "--workers", type=int, default=1, help="synthesis jobs that run at once (default 1)"
    )
    parser.add_argument(
        "--threads",
        type=int,
        help="CPU threads per job (default: the cores divided among the workers)",
    )
    parser.add_argument(
        "--max-waiting",
        type=int,
        default=16,
        help="jobs that may wait for a worker; beyond them requests get 429 (default 16)",
    )
    parser.add_argument(
        "--max-chars", type=int, default=4096, help="longest input text (default 4096)"
    )
    parser.add_argument(
        "--max-duration",
        type=float,
        default=300.0,
        help="longest audio in seconds a request may ask for or produce (default 300)",
    )
    parser.add_argument(
        "--presets",
        help="YAML file of extra emotion presets, merged over the shipped ones "
        "(default: $EMOTTS_PRESETS)",
    )
    parser.add_argument("--log-level", default="info", choices=("debug", "info", "warning"))
    parser.set_defaults(func=run)


def _check_limits(args) -> None:
    for name in ("workers", "max_chars"):
        if getattr(args, name) < 1:
            raise ConfigError(f"--{name.replace('_', '-')} must be at least 1")
    if args.max_waiting < 0:
        raise ConfigError("--max-waiting must be 0 or more")
    if args.threads is not None and args.threads < 1:
        raise ConfigError("--threads must be at least 1")
    if not args.max_duration > 0:
        raise ConfigError("--max-duration must be a positive number of seconds")
    if not 0 < args.port < 65536:
        raise ConfigError(f"--port {args.port} is not a TCP port; accepted: 1..65535")


def run(args) -> int:
    if importlib.util.find_spec("fastapi") is None or importlib.util.find_spec("uvicorn") is None:
        raise ConfigError("the server needs fastapi and uvicorn: pip install 'emotts[serve]'")
    import uvicorn

    from emotts.emotion.presets import load_presets
    from emotts.server.app import ServerOptions, create_app
    from emotts.server.auth import API_KEY_ENV
    from emotts.server.jobs import QueueLimits
    from emotts.server.speech import RequestLimits
    from emotts.server.voices import VoiceRegistry, load_served_voice, parse_voice_argument

    _check_limits(args)
    threads = args.threads or max(1, (os.cpu_count() or 1) // args.workers)
    voices = {}
    for argument in args.voice or ["default"]:
        name, target = parse_voice_argument(argument)
        if name in voices:
            raise ConfigError(f"voice name {name!r} is given twice; name them with NAME=DIR")
        print(f"loading voice {name!r} from {target}", file=sys.stderr)
        voices[name] = load_served_voice(target, args.backend, threads, args.device)
    api_key = args.api_key or os.environ.get(API_KEY_ENV) or None
    if args.host not in _LOOPBACK and api_key is None:
        print(
            f"warning: listening on {args.host} without an API key: anyone who can reach this "
            f"address can use the server (give --api-key or set {API_KEY_ENV})",
            file=sys.stderr,
        )
    options = ServerOptions(
        RequestLimits(args.max_chars, args.max_duration),
        QueueLimits(args.workers, args.max_waiting),
        api_key,
        load_presets(args.presets),
    )
    app = create_app(VoiceRegistry(voices), options)
    logging.basicConfig(level=args.log_level.upper())
    uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level)
    return 0
