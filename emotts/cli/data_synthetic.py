"""``emotts data synthesize`` and ``emotts data measure``: added to the ``emotts data`` group."""

from __future__ import annotations

import argparse
from pathlib import Path

from emotts.data.synthetic.plan import DEFAULT_SENTENCES, VOICES, SynthesisConfig


def _voices(text: str) -> tuple[str, ...]:
    """``slt``, ``slt,bdl`` or ``all`` (every voice in VOICES order)."""
    if text.strip() == "all":
        return VOICES
    return tuple(part.strip() for part in text.split(","))


def _synthesize(args: argparse.Namespace) -> int:
    import time

    from emotts.data.manifest import hours_by_speaker_and_split
    from emotts.data.synthetic.generate import generate_corpus

    cfg = SynthesisConfig(
        out_dir=Path(args.out),
        hours=args.hours,
        voices=_voices(args.voice),
        sentences=Path(args.sentences),
        workers=args.workers,
        seed=args.seed,
        label_only_share=args.label_only_share,
        adv_only_share=args.adv_only_share,
        continuous_share=args.continuous_share,
        blend_share=args.blend_share,
        utterances=args.utterances,
    )
    started = time.monotonic()
    manifest = generate_corpus(cfg)
    seconds = time.monotonic() - started
    # The size plan is an estimate; this is what was made (grow it by resuming with more --hours).
    table = hours_by_speaker_and_split(manifest)
    print(f"wrote {manifest} in {seconds:.0f} s")
    for speaker, hours in table.items():
        splits = ", ".join(f"{split} {h:.2f} h" for split, h in hours.items() if split != "all")
        print(f"  {speaker}: {hours['all']:.2f} h ({splits})")
    return 0


def _measure(args: argparse.Namespace) -> int:
    from emotts.data.synthetic.measure import measure_corpus

    summary = measure_corpus(Path(args.manifest), Path(args.out), sanity_count=args.sanity_count)
    print(summary)
    return 0


def register(data_subparsers: argparse._SubParsersAction) -> None:
    """Add ``synthesize`` and ``measure``; each parser's ``func`` runs it and returns an exit code."""
    syn = data_subparsers.add_parser(
        "synthesize",
        help="generate the synthetic emotional corpus (RHVoice + rule-based emotional prosody)",
    )
    syn.add_argument(
        "--out", required=True, help="corpus folder (wavs/, manifest.jsonl); resumes if it exists"
    )
    syn.add_argument(
        "--hours",
        type=float,
        default=1.0,
        help="hours per voice (estimated from the text; the summary prints what was made)",
    )
    syn.add_argument(
        "--utterances",
        type=int,
        default=None,
        help="exact number of utterances per voice instead of --hours",
    )
    syn.add_argument(
        "--voice",
        default="slt",
        help=f"RHVoice English voice(s): one of {', '.join(VOICES)}, a comma list, or 'all'",
    )
    syn.add_argument(
        "--sentences",
        default=str(DEFAULT_SENTENCES),
        help="text file: one sentence a line, or id|text|normalized",
    )
    syn.add_argument("--workers", type=int, default=2, help="parallel processes")
    syn.add_argument("--seed", type=int, default=0)
    syn.add_argument(
        "--label-only-share",
        type=float,
        default=0.2,
        help="of labelled utterances, share whose ADV is hidden",
    )
    syn.add_argument(
        "--adv-only-share",
        type=float,
        default=0.2,
        help="of labelled utterances, share whose label is hidden",
    )
    syn.add_argument(
        "--continuous-share",
        type=float,
        default=0.3,
        help="share of utterances with random ADV and no label",
    )
    syn.add_argument(
        "--blend-share",
        type=float,
        default=0.1,
        help="share of utterances that blend two labels (weights 0.25-0.75; 0 for corpora "
        "made before blends)",
    )
    syn.set_defaults(func=_synthesize)

    mea = data_subparsers.add_parser(
        "measure", help="measure F0, range, rate and energy per emotion; table + plot"
    )
    mea.add_argument("--manifest", required=True, help="manifest.jsonl of a synthetic corpus")
    mea.add_argument(
        "--out", required=True, help="folder for measure.json, measure.md and measure.png"
    )
    mea.add_argument(
        "--sanity-count",
        type=int,
        default=20,
        help="utterances re-rendered to check determinism and resynthesis",
    )
    mea.set_defaults(func=_measure)
