"""`emotts train --config recipe.yaml [--max-steps N] [--fresh] [--workers N]`."""

from __future__ import annotations

import argparse
import sys


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "train",
        help="train an acoustic model from a recipe config",
        description=(
            "Build the feature cache if needed, then train; resumes from the last checkpoint "
            "in train.output_dir unless --fresh. See docs/training.md."
        ),
    )
    parser.add_argument("--config", required=True, help="training config (YAML)")
    parser.add_argument("--max-steps", type=int, help="override train.max_steps")
    parser.add_argument(
        "--fresh",
        action="store_true",
        help="start from scratch: move existing checkpoints aside instead of resuming",
    )
    parser.add_argument(
        "--workers", type=int, help="processes for the feature cache build (default: all cores)"
    )
    parser.add_argument(
        "--init-from",
        help="voice directory whose weights start the run when there is no checkpoint yet",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    # Imported here so `emotts --help` does not pay for torch and Lightning.
    from emotts.errors import ConfigError
    from emotts.train.config import load_config
    from emotts.train.distributed import is_first_process, started_by_external_launcher
    from emotts.train.resume import ResumePoint, find_resume_point
    from emotts.train.run import RunPaths, prepare_cache, set_aside_checkpoints, train

    if args.max_steps is not None and args.max_steps < 1:
        raise ConfigError(f"--max-steps is {args.max_steps}; accepted: an integer >= 1")
    if args.workers is not None and args.workers < 1:
        raise ConfigError(f"--workers is {args.workers}; accepted: an integer >= 1")
    config = load_config(args.config)
    paths = RunPaths(config.train.output_dir)
    if args.fresh and started_by_external_launcher():
        raise ConfigError(
            "--fresh cannot be used when torchrun or srun starts every process at once (each "
            f"would decide alone); move {paths.checkpoints} aside before launching"
        )
    # Lightning starts the other processes only after the first has moved the checkpoints.
    resume = ResumePoint()
    if args.fresh and is_first_process():
        moved = set_aside_checkpoints(paths)
        if moved is not None:
            print(f"--fresh: earlier checkpoints moved to {moved}")
    elif not args.fresh:
        resume = find_resume_point(paths.checkpoints)
        for line in resume.messages():
            print(line, file=sys.stderr)
        if resume.path is not None:
            print(f"resuming from {resume.path} (step {resume.step})")
    print(f"feature cache: {config.data.cache_dir}")
    print(f"checkpoints:   {paths.checkpoints}")
    print(f"TensorBoard:   tensorboard --logdir {paths.logs}")
    print(f"voice:         {paths.voice}  (written at every checkpoint and at the end)")

    cache = prepare_cache(config, args.workers, progress=not args.quiet)
    print(
        f"cache: {cache.built} built, {cache.skipped} already cached, {len(cache.failures)} failed"
    )
    for failure in cache.failures:
        print(f"  failed {failure.id}: {failure.reason}", file=sys.stderr)

    init_from = None
    if args.init_from is not None:
        from emotts.voices import resolve_voice

        init_from = resolve_voice(args.init_from)
        if resume.path is not None:
            print(f"--init-from ignored: resuming from {resume.path}")
    result = train(
        config,
        max_steps=args.max_steps,
        cache=cache,
        progress=not args.quiet,
        init_from=init_from,
        resume=resume,
    )
    print(
        f"trained to step {result.global_step} in {result.seconds:.0f} s; voice in {result.paths.voice}"
    )
    return 0
