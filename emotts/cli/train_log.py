"""`emotts train-log RUN_DIR [--plot PNG]`: what a training run did, as a table and a plot."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "train-log",
        help="summarize a training run's losses and time",
        description=(
            "Read the TensorBoard log of a run (every resumed leg), print its steps, training "
            "time and a table of losses, and optionally plot the loss curves."
        ),
    )
    parser.add_argument("run", help="run folder (train.output_dir) or its tensorboard folder")
    parser.add_argument("--plot", help="write the loss curves to this PNG")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from emotts.train.log_summary import plot_training_log, read_training_log, summary_table

    log = read_training_log(args.run)
    print(
        f"{log.last_step:,} steps, {log.seconds / 3600:.2f} h of training in "
        f"{len(log.legs)} leg(s):"
    )
    for leg in log.legs:
        print(f"  steps {leg.first_step:,}-{leg.last_step:,}: {leg.seconds / 60:.1f} min")
    print()
    print(summary_table(log))
    if args.plot:
        print(f"\nplot: {plot_training_log(log, args.plot)}")
    return 0
