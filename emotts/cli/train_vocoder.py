"""`emotts train-vocoder --config recipes/vocoder/config.yaml [--max-steps N]`."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "train-vocoder",
        help="train the fast iSTFT vocoder (distilled from HiFi-GAN universal by default)",
        description=(
            "Cache (mel, target waveform) pairs from the manifests, then train the Vocos-style "
            "vocoder; resumes from train.output_dir/checkpoints/last.ckpt. The inference "
            "weights are written to train.output_dir/vocoder at every checkpoint. See "
            "docs/vocoder.md."
        ),
    )
    parser.add_argument("--config", required=True, help="vocoder training config (YAML)")
    parser.add_argument("--max-steps", type=int, help="override train.max_steps")
    parser.add_argument(
        "--init-from",
        type=Path,
        help="vocoder weights directory that starts a run with no checkpoint yet "
        "(e.g. vocoders/weights/vocos-emotts, to continue the shipped vocoder)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    # Imported here so `emotts --help` does not pay for torch and Lightning.
    from emotts.errors import ConfigError
    from emotts.train.vocoder_config import load_vocoder_config
    from emotts.train.vocoder_run import train_vocoder

    if args.max_steps is not None and args.max_steps < 1:
        raise ConfigError(f"--max-steps is {args.max_steps}; accepted: an integer >= 1")
    config = load_vocoder_config(args.config)
    output = config.train.output_dir
    print(f"cache:       {config.data.cache_dir} (target: {config.data.target})")
    print(f"checkpoints: {output / 'checkpoints'}")
    print(f"TensorBoard: tensorboard --logdir {output / 'tensorboard'}")
    result = train_vocoder(
        config, max_steps=args.max_steps, progress=not args.quiet, init_from=args.init_from
    )
    resumed = f" (resumed from {result.resumed_from})" if result.resumed_from else ""
    print(
        f"trained to step {result.global_step} in {result.seconds:.0f} s{resumed}; "
        f"vocoder weights in {result.vocoder_dir}"
    )
    return 0
